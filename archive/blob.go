// Package archive keeps the municipality's scanned records: the original
// files, their pages, the OCR text of each page, and the rows that describe
// them. It hands page text to a search index through the Indexer interface
// it owns, and stores bytes through the Blobs interface it owns.
package archive

import (
	"context"
	"errors"
	"io"
	"strconv"
)

// ErrBlobNotFound is returned by Blobs.Get and Blobs.Stat when no object is
// stored under the key.
var ErrBlobNotFound = errors.New("archive: blob not found")

// Blobs stores immutable objects under slash-separated keys. The folder and
// S3 implementations use the same key layout, so a data folder can be
// copied into a bucket as it is.
//
// Put is write-once: putting a key that already exists returns nil without
// rewriting it, which makes re-ingesting the same original a no-op. Put
// never leaves a partial object visible under the key: a failed or
// cancelled Put leaves the key absent. Implementations are safe for
// concurrent use.
type Blobs interface {
	// Put stores size bytes read from r under key. A negative size means
	// unknown.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error

	// Get opens the object stored under key; the caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, error)

	// Stat reports the size of the object under key.
	Stat(ctx context.Context, key string) (size int64, err error)
}

// OriginalKey is where the original file with the given SHA-256 (lower-case
// hex) is stored. The two-level fan-out keeps folders small at a million
// records.
func OriginalKey(sha256Hex string) string {
	return "originals/" + sha256Hex[:2] + "/" + sha256Hex[2:4] + "/" + sha256Hex
}

// PageImageKey is where the orientation-corrected image of page n (from 1)
// of the original with the given SHA-256 is stored, as PNG, once made at
// the page's first look (see Ingester.PageImage).
func PageImageKey(sha256Hex string, n int) string {
	return "pages/" + sha256Hex[:2] + "/" + sha256Hex + "/" + strconv.Itoa(n) + ".png"
}

// PageTextKey is where the OCR text of page n of the original is stored.
func PageTextKey(sha256Hex string, n int) string {
	return "pages/" + sha256Hex[:2] + "/" + sha256Hex + "/" + strconv.Itoa(n) + ".txt"
}
