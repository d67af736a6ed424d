package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// openBlobs opens the place's object store: the bucket its blobs URL
// names, else the data folder's blobs/ folder (the same key layout, so a
// folder can be copied into a bucket as it is).
//
// The URL is s3://HOST[:PORT]/BUCKET over TLS, or s3+http://… in clear for
// a store on the same host or private network; ?region= names a region.
// The keys come from $SIJIL_S3_ACCESS_KEY and $SIJIL_S3_SECRET_KEY (or a
// file named by $SIJIL_S3_SECRET_KEY_FILE), never from the URL, which is
// logged.
func openBlobs(ctx context.Context, p dataPlace) (archive.Blobs, error) {
	if p.blobsURL == "" {
		return archive.NewFolderBlobs(filepath.Join(p.dir, "blobs"))
	}
	cfg, err := s3Config(p.blobsURL)
	if err != nil {
		return nil, err
	}
	blobs, err := archive.NewS3Blobs(ctx, cfg)
	if err != nil {
		return nil, sijil.Errorf(sijil.Unavailable, "blobs.unreachable",
			"cannot open the object store at %s: %w", p.blobsURL, err)
	}
	return blobs, nil
}

// s3Config reads a blobs URL and the keys from the environment.
func s3Config(raw string) (archive.S3Config, error) {
	bad := func(why string) error {
		return sijil.Errorf(sijil.Invalid, "blobs.bad_url",
			"--blobs-url %q: %s; give s3://host:port/bucket (or s3+http:// for a store "+
				"reached in clear)", redactURL(raw), why)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return archive.S3Config{}, bad("not a URL")
	}
	if u.User != nil {
		return archive.S3Config{}, bad("keys do not belong in the URL, which is logged: " +
			"set $SIJIL_S3_ACCESS_KEY and $SIJIL_S3_SECRET_KEY")
	}
	cfg := archive.S3Config{Endpoint: u.Host, Bucket: strings.Trim(u.Path, "/"),
		Region: u.Query().Get("region")}
	switch u.Scheme {
	case "s3":
		cfg.UseSSL = true
	case "s3+http":
	default:
		return archive.S3Config{}, bad("the scheme must be s3 or s3+http")
	}
	if cfg.Endpoint == "" || cfg.Bucket == "" || strings.Contains(cfg.Bucket, "/") {
		return archive.S3Config{}, bad("it needs a host and one bucket name")
	}

	cfg.AccessKey = os.Getenv("SIJIL_S3_ACCESS_KEY")
	cfg.SecretKey = os.Getenv("SIJIL_S3_SECRET_KEY")
	if f := os.Getenv("SIJIL_S3_SECRET_KEY_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return archive.S3Config{}, fmt.Errorf("SIJIL_S3_SECRET_KEY_FILE: %w", err)
		}
		cfg.SecretKey = strings.TrimSpace(string(b))
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return archive.S3Config{}, sijil.Errorf(sijil.Invalid, "blobs.no_keys",
			"--blobs-url needs $SIJIL_S3_ACCESS_KEY and $SIJIL_S3_SECRET_KEY "+
				"(or $SIJIL_S3_SECRET_KEY_FILE)")
	}
	return cfg, nil
}
