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
	return index.Archive{Index: idx}, nil
}
