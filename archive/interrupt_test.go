package archive_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

// cancellingIndex cancels the ingest's context when the first pages
// arrive, as a Ctrl-C between the commit and the indexing does, and keeps
// the context error each page was indexed under.
type cancellingIndex struct {
	cancel context.CancelFunc
	mu     sync.Mutex
	errs   []error
}

func (x *cancellingIndex) IndexPages(ctx context.Context, pages []archive.PageText) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cancel()
	for range pages {
		x.errs = append(x.errs, ctx.Err())
	}
	return ctx.Err()
}

// TestInterruptAfterCommitStillIndexes pins a bug: an ingest interrupted
// after its rows were committed left pages out of the index, and a
// re-import, finding the record, never indexed them, so they could not be
// found by search.
func TestInterruptAfterCommitStillIndexes(t *testing.T) {
	page := textPage(t, pageLines)
	f := newFixture(t, "eng")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	idx := &cancellingIndex{cancel: cancel}
	f.in.Index = idx

	rec, _, err := f.in.Ingest(ctx, bytes.NewReader(multiTIFF(page, page, page)),
		archive.Metadata{Filename: "scan.tif"})

	if err != nil {
		t.Fatalf("Ingest = %v, want the committed record indexed despite the interrupt", err)
	}
	if len(idx.errs) != rec.PageCount {
		t.Fatalf("%d pages indexed of %d", len(idx.errs), rec.PageCount)
	}
	for i, e := range idx.errs {
		if e != nil {
			t.Errorf("page %d indexed under a cancelled context: %v", i+1, e)
		}
	}
}
