package main

import (
	"context"
	"fmt"

	"github.com/sijil-municipality/sijil"

	"github.com/sijil-municipality/sijil/archive"
)

func (e *env) fixity(ctx context.Context, args []string) error {
	fs := e.flags("fixity")
	data := dataFlag(fs)
	all := fs.Bool("all", false, "check every record")
	rota := fs.Int("rota", 0, "check the N records checked longest ago (for a nightly run)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *all == (*rota > 0) || *rota < 0 || fs.NArg() > 0 {
		return fmt.Errorf("%w: give either --all or --rota N (N from 1)", errUsage)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	// A lost page image is made again from its original, beside a running
	// server as `sijil issue` makes them.
	tmp, err := a.tempDir(false)
	if err != nil {
		return err
	}
	images := &archive.Ingester{Blobs: a.blobs, DB: a.db, Log: e.log, TempDir: tmp}
	f := &archive.Fixity{Blobs: a.blobs, DB: a.db, Log: e.log, Images: images}

	var rep archive.FixityReport
	if *all {
		rep, err = f.CheckAll(ctx)
	} else {
		rep, err = f.CheckRota(ctx, *rota)
	}
	// What was checked before a failure is recorded, so report it anyway.
	e.printFixity(rep)
	if err != nil {
		return err
	}
	if len(rep.Problems) > 0 {
		return sijil.Errorf(sijil.Conflict, "archive.fixity_failed",
			"objects that failed their fixity check: %d (listed above)", len(rep.Problems))
	}
	return nil
}

func (e *env) printFixity(rep archive.FixityReport) {
	for _, p := range rep.Problems {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", p.Kind, p.RecordID, p.Key, p.Detail)
	}
	verdict := "all intact"
	if len(rep.Problems) > 0 {
		verdict = fmt.Sprintf("%d FAILED; their records are blocked (no page images, "+
			"download or certified copy) until their files are restored and checked again",
			len(rep.Problems))
	}
	fmt.Fprintf(e.stdout, "checked %d objects of %d records: %s\n",
		rep.Objects, rep.Records, verdict)
}
