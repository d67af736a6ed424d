package main_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/internal/miniotest"
)

// TestS3ThroughTheBinary runs the archive on a real MinIO bucket, as
// production's object store: ingest, a certified copy made from the pages
// in the bucket, fixity over the bucket, and the server verifying; the
// data folder holds no blobs of its own.
func TestS3ThroughTheBinary(t *testing.T) {
	requireTools(t)
	cfg := miniotest.Start(t)
	t.Setenv("SIJIL_BLOBS_URL", "s3+http://"+cfg.Endpoint+"/"+cfg.Bucket)
	t.Setenv("SIJIL_S3_ACCESS_KEY", cfg.AccessKey)
	secret := filepath.Join(t.TempDir(), "s3.secret")
	if err := os.WriteFile(secret, []byte(cfg.SecretKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SIJIL_S3_SECRET_KEY_FILE", secret)
	data, work := t.TempDir(), t.TempDir()
	scan := filepath.Join(work, "permit.pdf")
	writePermitScan(t, scan)

	recordID := strings.Fields(sijil(t, 0, "ingest", "--data", data, scan))[0]
	if _, err := os.Stat(filepath.Join(data, "blobs")); err == nil {
		t.Error("ingest with --blobs-url wrote a blobs folder in the data folder")
	}
	bucket, err := archive.NewS3Blobs(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	original, err := os.ReadFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(original)

	publicURL := "http://127.0.0.1:" + freePort(t)
	pdf := issueKind(t, data, work, publicURL, "copy", map[string]any{"record": recordID})
	// The copy was the page's first look, which made its image, in the bucket,
	// from a copy of the original that left with the command.
	if _, err := bucket.Stat(t.Context(), archive.PageImageKey(hex.EncodeToString(sum[:]),
		1)); err != nil {
		t.Errorf("the page image is not in the bucket: %v", err)
	}
	if left, err := filepath.Glob(filepath.Join(data, "tmp", "sijil-original-*")); err != nil ||
		len(left) > 0 {
		t.Errorf("sijil issue left copies of originals behind: %v (%v)", left, err)
	}
	if out := sijil(t, 0, "fixity", "--data", data, "--all"); !strings.Contains(out,
		"all intact") {
		t.Errorf("fixity over the bucket printed %q", out)
	}
	startServe(t, data, strings.TrimPrefix(publicURL, "http://127.0.0.1:"), publicURL)
	if res := getJSON(t, decodeQRs(t, pdf, work)[0]); res["status"] != "valid" {
		t.Errorf("a certified copy made from the bucket verifies as %v", res["status"])
	}
}

// TestBlobsURLIsChecked: a wrong object store setting is refused with what
// to give, and keys are never taken from the URL, which is logged.
func TestBlobsURLIsChecked(t *testing.T) {
	t.Setenv("SIJIL_S3_ACCESS_KEY", "")
	t.Setenv("SIJIL_S3_SECRET_KEY", "")
	data := t.TempDir()
	for _, tc := range []struct{ name, url, want string }{
		{"keys in the URL", "s3://key:s3cret@store:9000/sijil", "keys do not belong"},
		{"another scheme", "https://store:9000/sijil", "scheme must be s3"},
		{"no bucket", "s3://store:9000/", "one bucket name"},
		{"no keys", "s3://store:9000/sijil", "needs $SIJIL_S3_ACCESS_KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(sijilBin, "ingest", "--data", data, "--blobs-url", tc.url,
				"nothing.pdf")
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("--blobs-url %q was accepted:\n%s", tc.url, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if strings.Contains(string(out), "s3cret") {
				t.Errorf("the secret is in the output:\n%s", out)
			}
		})
	}
}
