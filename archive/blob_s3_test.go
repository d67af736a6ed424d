package archive_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/internal/miniotest"
)

func TestS3Blobs(t *testing.T) {
	cfg := miniotest.Start(t)
	var buckets atomic.Int64

	// One server for all cases, one fresh bucket per case.
	testBlobsContract(t, func(t *testing.T) archive.Blobs {
		c := cfg
		c.Bucket = "contract-" + strconv.FormatInt(buckets.Add(1), 10)
		b, err := archive.NewS3Blobs(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestS3BlobsExistingBucket pins that a second store on the same bucket,
// as a second node would open it, finds the first one's objects.
func TestS3BlobsExistingBucket(t *testing.T) {
	cfg := miniotest.Start(t)
	first, err := archive.NewS3Blobs(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, first, "originals/ab/cd/abcd", "scan")

	second, err := archive.NewS3Blobs(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewS3Blobs on an existing bucket: %v", err)
	}

	if got := mustGet(t, second, "originals/ab/cd/abcd"); got != "scan" {
		t.Errorf("Get through the second store = %q, want %q", got, "scan")
	}
}
