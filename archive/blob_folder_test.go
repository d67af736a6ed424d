package archive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

func TestFolderBlobs(t *testing.T) {
	testBlobsContract(t, func(t *testing.T) archive.Blobs {
		b, err := archive.NewFolderBlobs(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestFolderBlobsLayout pins that a key maps to the same relative path on
// disk, so a data folder can be copied into a bucket as it is.
func TestFolderBlobsLayout(t *testing.T) {
	dir := t.TempDir()
	b, err := archive.NewFolderBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	key := archive.OriginalKey(strings.Repeat("ab", 32))

	mustPut(t, b, key, "scan")

	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil || string(got) != "scan" {
		t.Fatalf("file at key path = %q, %v; want %q", got, err, "scan")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Join(dir, key)), ".tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

// testBlobsContract runs the Blobs contract from blob.go against any
// implementation; newBlobs returns an empty store for each case.
func testBlobsContract(t *testing.T, newBlobs func(t *testing.T) archive.Blobs) {
	tests := []struct {
		name string
		run  func(t *testing.T, b archive.Blobs)
	}{
		{"round trip", testRoundTrip},
		{"re-put is a no-op", testRePut},
		{"absent key", testAbsent},
		{"arabic key", testArabicKey},
		{"concurrent puts of one key", testConcurrentPuts},
		{"cancelled put leaves no object", testCancelledPut},
		{"short body leaves no object", testShortBody},
		{"hostile keys refused", testHostileKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newBlobs(t))
		})
	}
}

func testRoundTrip(t *testing.T, b archive.Blobs) {
	mustPut(t, b, "originals/ab/cd/abcd", "the original scan")

	if got := mustGet(t, b, "originals/ab/cd/abcd"); got != "the original scan" {
		t.Errorf("Get = %q, want %q", got, "the original scan")
	}
	size, err := b.Stat(context.Background(), "originals/ab/cd/abcd")
	if err != nil || size != int64(len("the original scan")) {
		t.Errorf("Stat = %d, %v; want %d, nil", size, err, len("the original scan"))
	}
}

func testRePut(t *testing.T, b archive.Blobs) {
	mustPut(t, b, "pages/ab/abcd/1.txt", "first")
	mustPut(t, b, "pages/ab/abcd/1.txt", "second, longer bytes")

	if got := mustGet(t, b, "pages/ab/abcd/1.txt"); got != "first" {
		t.Errorf("after re-put Get = %q, want the first bytes %q", got, "first")
	}
}

func testAbsent(t *testing.T, b archive.Blobs) {
	ctx := context.Background()
	mustPut(t, b, "pages/ab/abcd/1.txt", "x")

	// "pages/ab" is a prefix of a stored key, not an object; the last one
	// has an object where a folder would be.
	for _, key := range []string{"originals/none", "pages/ab", "pages/ab/abcd/1.txt/x"} {
		if _, err := b.Get(ctx, key); !errors.Is(err, archive.ErrBlobNotFound) {
			t.Errorf("Get(%q) error = %v, want ErrBlobNotFound", key, err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, archive.ErrBlobNotFound) {
			t.Errorf("Stat(%q) error = %v, want ErrBlobNotFound", key, err)
		}
	}
}

func testArabicKey(t *testing.T, b archive.Blobs) {
	key := "certificates/إفادة مبنى/٤٥١٧.pdf"
	mustPut(t, b, key, "شهادة")

	if got := mustGet(t, b, key); got != "شهادة" {
		t.Errorf("Get(%q) = %q, want %q", key, got, "شهادة")
	}
}

func testConcurrentPuts(t *testing.T, b archive.Blobs) {
	const n = 8
	body := strings.Repeat("page ", 10_000)
	errs := make([]error, n)

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = b.Put(context.Background(), "originals/cc/cc/cccc",
				strings.NewReader(body), int64(len(body)), "text/plain")
		})
	}
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("Put #%d: %v", i, err)
		}
	}
	if got := mustGet(t, b, "originals/cc/cc/cccc"); got != body {
		t.Errorf("Get returned %d bytes, want %d", len(got), len(body))
	}
}

func testCancelledPut(t *testing.T, b archive.Blobs) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const size = 8 << 20
	r := &cancellingReader{remaining: size, cancelAfter: 1 << 20, cancel: cancel}

	err := b.Put(ctx, "originals/dd/dd/dddd", r, size, "application/pdf")

	if err == nil {
		t.Fatal("Put with a context cancelled mid-upload returned nil")
	}
	assertAbsent(t, b, "originals/dd/dd/dddd")
}

func testShortBody(t *testing.T, b archive.Blobs) {
	err := b.Put(context.Background(), "originals/ee/ee/eeee",
		strings.NewReader("short"), 100, "text/plain")

	if err == nil {
		t.Fatal("Put of 5 bytes announced as 100 returned nil")
	}
	assertAbsent(t, b, "originals/ee/ee/eeee")
}

func testHostileKeys(t *testing.T, b archive.Blobs) {
	ctx := context.Background()
	keys := []string{
		"", "/etc/passwd", "../outside", "pages/../../outside", "pages/..",
		`pages\..\outside`, "pages/a\x00b", "pages//a", "pages/", ".tmp-1",
		"pages/.hidden", "bad\xffutf8",
	}

	for _, key := range keys {
		err := b.Put(ctx, key, strings.NewReader("x"), 1, "text/plain")
		if !errors.Is(err, archive.ErrInvalidBlobKey) {
			t.Errorf("Put(%q) error = %v, want ErrInvalidBlobKey", key, err)
		}
		if _, err := b.Get(ctx, key); !errors.Is(err, archive.ErrInvalidBlobKey) {
			t.Errorf("Get(%q) error = %v, want ErrInvalidBlobKey", key, err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, archive.ErrInvalidBlobKey) {
			t.Errorf("Stat(%q) error = %v, want ErrInvalidBlobKey", key, err)
		}
	}
}

// cancellingReader yields zeros and cancels the upload's context once
// cancelAfter bytes have been read, as a client hanging up would.
type cancellingReader struct {
	remaining   int
	read        int
	cancelAfter int
	cancel      context.CancelFunc
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	if r.remaining == 0 {
		return 0, io.EOF
	}
	if r.read >= r.cancelAfter {
		r.cancel()
	}
	n := min(len(p), r.remaining)
	clear(p[:n])
	r.remaining -= n
	r.read += n
	return n, nil
}

func mustPut(t *testing.T, b archive.Blobs, key, body string) {
	t.Helper()
	size := int64(len(body))
	err := b.Put(context.Background(), key, strings.NewReader(body), size, "text/plain")
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, b archive.Blobs, key string) string {
	t.Helper()
	rc, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()

	var buf bytes.Buffer
	if _, err := io.Copy(&buf, rc); err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return buf.String()
}

func assertAbsent(t *testing.T, b archive.Blobs, key string) {
	t.Helper()
	if _, err := b.Stat(context.Background(), key); !errors.Is(err, archive.ErrBlobNotFound) {
		t.Errorf("after failed Put, Stat(%q) error = %v, want ErrBlobNotFound", key, err)
	}
}
