package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowBlobs counts the reads of its store and makes each one slow, as an
// S3 store's download of a large original is.
type slowBlobs struct {
	*FolderBlobs
	gets atomic.Int32
}

func (b *slowBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	b.gets.Add(1)
	time.Sleep(100 * time.Millisecond)
	return b.FolderBlobs.Get(ctx, key)
}

// TestOriginalIsFetchedOncePerRecord: the makings of a record's pages
// asked for at once, as a certified copy and a record page's thumbnails
// ask, share one fetch of its original, and a command's end leaves no copy
// of it behind.
func TestOriginalIsFetchedOncePerRecord(t *testing.T) {
	folder, err := NewFolderBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	rec := Record{ID: "rec_test", SHA256: hex.EncodeToString(sum[:]), MediaType: MediaPNG,
		SizeBytes: int64(buf.Len())}
	if err := folder.Put(context.Background(), OriginalKey(rec.SHA256), &buf,
		int64(buf.Len()), MediaPNG); err != nil {
		t.Fatal(err)
	}
	blobs := &slowBlobs{FolderBlobs: folder}
	tmp := t.TempDir()
	in := &Ingester{Blobs: blobs, TempDir: tmp}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			sources, release, err := in.pages(context.Background(), rec)
			if err != nil || len(sources) != 1 {
				t.Errorf("pages: %d sources, %v", len(sources), err)
				return
			}
			release()
		})
	}
	wg.Wait()
	if n := blobs.gets.Load(); n != 1 {
		t.Errorf("the original was fetched %d times for 8 makings at once, want once", n)
	}

	DropOriginals()
	t.Cleanup(func() { originals.mu.Lock(); originals.dropping = false; originals.mu.Unlock() })
	left, err := filepath.Glob(filepath.Join(tmp, "sijil-original-*"))
	if err != nil || len(left) > 0 {
		t.Errorf("copies left after DropOriginals: %v (%v)", left, err)
	}
}
