package archive

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where an S3-compatible object store is and how to sign in.
type S3Config struct {
	Endpoint  string // host:port, without a scheme
	AccessKey string
	SecretKey string
	Bucket    string
	UseSSL    bool
	Region    string // empty lets the server choose
}

// S3Blobs stores blobs as objects in one bucket of an S3-compatible store
// (a MinIO cluster in production), under the same keys as FolderBlobs.
type S3Blobs struct {
	client *minio.Client
	bucket string
}

var _ Blobs = (*S3Blobs)(nil)

// NewS3Blobs connects to the store and creates the bucket if it is absent.
func NewS3Blobs(ctx context.Context, cfg S3Config) (*S3Blobs, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("archive: s3 client for %q: %w", cfg.Endpoint, err)
	}

	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("archive: s3 bucket %q: %w", cfg.Bucket, err)
	}
	if !exists {
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		// Another node may create it between our check and our request.
		if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou {
			return nil, fmt.Errorf("archive: create s3 bucket %q: %w", cfg.Bucket, err)
		}
	}
	return &S3Blobs{client: client, bucket: cfg.Bucket}, nil
}

// Put uploads r under key unless an object is already there. S3 makes an
// object visible only when its upload completes, so a failed or cancelled
// Put leaves the key absent.
//
// The existence check and the upload are two requests, so two nodes can
// both see the key absent and both upload: write-once is not guaranteed
// across nodes. That is harmless for Sijil's keys, which are derived from
// the content's SHA-256: both uploads carry the same bytes.
func (b *S3Blobs) Put(
	ctx context.Context, key string, r io.Reader, size int64, contentType string,
) error {
	_, err := b.Stat(ctx, key)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrBlobNotFound) {
		return err
	}

	opts := minio.PutObjectOptions{ContentType: contentType}
	if _, err := b.client.PutObject(ctx, b.bucket, key, r, size, opts); err != nil {
		return fmt.Errorf("archive: put %q: %w", key, err)
	}
	return nil
}

// Get opens the object stored under key. minio-go's GetObject sends no
// request until the first read, so Get asks for the object's metadata on
// the same handle first: an absent key fails here, not in the caller's
// first Read.
func (b *S3Blobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}

	obj, err := b.client.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s3NotFoundOr(key, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, s3NotFoundOr(key, err)
	}
	return obj, nil
}

// Stat reports the size of the object stored under key.
func (b *S3Blobs) Stat(ctx context.Context, key string) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}

	info, err := b.client.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return 0, s3NotFoundOr(key, err)
	}
	return info.Size, nil
}

// s3NotFoundOr maps S3's NoSuchKey to ErrBlobNotFound and wraps anything
// else.
func s3NotFoundOr(key string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fmt.Errorf("%w: %q", ErrBlobNotFound, key)
	}
	return fmt.Errorf("archive: blob %q: %w", key, err)
}
