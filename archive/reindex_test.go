package archive_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

// builder hands a rebuild's batches to a real index, and can cancel the
// rebuild once the first batch arrives.
type builder struct {
	*index.Index
	cancel context.CancelFunc
}

func (b builder) IndexPages(ctx context.Context, pages []archive.PageText) error {
	if b.cancel != nil {
		b.cancel()
	}
	batch := make([]index.Page, len(pages))
	for i, p := range pages {
		batch[i] = index.Page{RecordID: p.RecordID, Number: p.Number, Text: p.Text,
			Title: p.Title}
	}
	return b.AddAll(ctx, batch)
}

func newReindexer(f *fixture, cancel context.CancelFunc) *archive.Reindexer {
	return &archive.Reindexer{Store: f.store, Log: f.in.Log, BatchSize: 1,
		Open: func(dir string) (archive.IndexBuilder, error) {
			idx, err := index.Open(dir)
			return builder{Index: idx, cancel: cancel}, err
		}}
}

// search opens the index in dir and returns the record ids of the hits.
func search(t *testing.T, dir, q string) []string {
	t.Helper()
	idx, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	hits, _, err := idx.Search(context.Background(), q, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.RecordID)
	}
	return ids
}

// oldIndex makes an index holding one page in a new folder and returns
// the folder.
func oldIndex(t *testing.T, p index.Page) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	old, err := index.Open(dir)
	mustDo(t, err)
	mustDo(t, old.Add(context.Background(), p))
	mustDo(t, old.Close())
	return dir
}

func TestReindexFindsPagesOfADeletedIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	dir := filepath.Join(t.TempDir(), "index") // deleted: no folder at all

	newDir, err := newReindexer(f, nil).Build(context.Background(), dir)
	mustDo(t, err)
	mustDo(t, archive.Swap(dir, newDir))

	if ids := search(t, dir, "bakery"); len(ids) != 1 || ids[0] != got.rec.ID {
		t.Errorf("search after reindex: %v, want [%s]", ids, got.rec.ID)
	}
	if _, err := os.Stat(newDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the rebuild folder is left behind: %v", err)
	}
}

func TestReindexInterruptedKeepsOldIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	dir := oldIndex(t, index.Page{RecordID: "rec_old", Number: 1, Text: "granary ledger"})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := newReindexer(f, cancel).Build(ctx, dir)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build cancelled mid-way: %v, want context.Canceled", err)
	}
	if ids := search(t, dir, "granary"); len(ids) != 1 || ids[0] != "rec_old" {
		t.Errorf("old index after an interrupted rebuild: %v, want [rec_old]", ids)
	}
	if _, err := os.Stat(dir + ".rebuild"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the half-built index is left behind: %v", err)
	}
}

func TestReindexReplacesOldIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	dir := oldIndex(t, index.Page{RecordID: "rec_gone", Number: 1,
		Text: "bakery of a deleted record"})

	newDir, err := newReindexer(f, nil).Build(context.Background(), dir)
	mustDo(t, err)
	mustDo(t, archive.Swap(dir, newDir))

	if ids := search(t, dir, "bakery"); len(ids) != 1 || ids[0] != got.rec.ID {
		t.Errorf("search after reindex: %v, want only [%s]", ids, got.rec.ID)
	}
	leftovers, _ := filepath.Glob(dir + ".*")
	if len(leftovers) > 0 {
		t.Errorf("folders left next to the index: %v", leftovers)
	}
}
