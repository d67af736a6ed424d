// Package indextest makes search indexes as earlier builds of Sijil left
// them, for tests of what a newer build does with one.
package indextest

import (
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/sijil-municipality/sijil/index"
)

// Old opens an index built with bleve's default mapping, as a build before
// the exact-text field and the recorded analysis version left it empty.
// It is closed when the test ends.
func Old(t testing.TB) *index.Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "old-index")
	bi, err := bleve.New(dir, bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	if err := bi.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}
