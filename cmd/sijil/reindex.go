package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

func (e *env) reindex(ctx context.Context, args []string) error {
	fs := e.flags("reindex")
	data := dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: reindex takes no arguments", errUsage)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	// Holding the old index keeps other sijil processes from ingesting
	// into it while the new one is built without their pages.
	if _, err := a.index(); err != nil {
		return fmt.Errorf("%w (if the index is damaged, move %s away and run reindex again)",
			err, filepath.Join(a.dir, "index"))
	}

	dir := filepath.Join(a.dir, "index")
	r := &archive.Reindexer{Store: archive.NewStore(a.db), Open: openBuilder, Log: e.log}
	newDir, err := r.Build(ctx, dir)
	if err != nil {
		return err
	}

	err = a.idx.Close()
	a.idx = nil
	if err != nil {
		return err
	}
	if err := archive.Swap(dir, newDir); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "search index rebuilt")
	return nil
}

// openBuilder opens a new index for archive's rebuild.
func openBuilder(dir string) (archive.IndexBuilder, error) {
	idx, err := index.Open(dir)
	if err != nil {
		return nil, err
	}
	return batchIndexer{idx}, nil
}

// batchIndexer hands archive pages to the search index in batches.
type batchIndexer struct{ *index.Index }

func (b batchIndexer) IndexPages(ctx context.Context, pages []archive.PageText) error {
	batch := make([]index.Page, len(pages))
	for i, p := range pages {
		batch[i] = indexPage(p)
	}
	return b.AddAll(ctx, batch)
}

// indexPage is an archive page as the search index takes it, at ingest,
// after a correction and in a rebuild alike.
func indexPage(p archive.PageText) index.Page {
	return index.Page{RecordID: p.RecordID, Number: p.Number, Text: p.Text,
		Filename: p.Filename, RecordType: p.RecordType, Reference: p.Reference,
		Title: p.Title, Names: p.Names, Parcel: p.Parcel, Plot: p.Plot,
		Neighbourhood: p.Neighbourhood, Street: p.Street, Year: p.Year}
}
