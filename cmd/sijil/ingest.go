package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sijil-municipality/sijil/archive"
)

func (e *env) ingest(ctx context.Context, args []string) error {
	fs := e.flags("ingest")
	data := dataFlag(fs)
	recordType := fs.String("type", "", "record type, e.g. building_permit")
	reference := fs.String("reference", "", "reference number of the record")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: name at least one file to ingest", errUsage)
	}

	a, err := openApp(ctx, *data, e.log, true)
	if err != nil {
		return err
	}
	defer a.Close()
	in, err := a.ingester()
	if err != nil {
		return err
	}

	// Every file is tried; a refused one does not stop the others, and
	// the command fails at the end if any was refused.
	var failed int
	for _, path := range fs.Args() {
		meta := archive.Metadata{Filename: filepath.Base(path), RecordType: *recordType,
			Reference: *reference}
		rec, existed, err := ingestFile(ctx, in, path, meta)
		switch {
		case err != nil:
			failed++
			reportError(e.stderr, e.log, "ingest "+path, err)
		case existed:
			fmt.Fprintf(e.stdout, "%s\t%s\talready archived (%d pages)\n", rec.ID, path,
				rec.PageCount)
		default:
			fmt.Fprintf(e.stdout, "%s\t%s\t%d pages\n", rec.ID, path, rec.PageCount)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files were not ingested", failed, fs.NArg())
	}
	return nil
}

func ingestFile(ctx context.Context, in *archive.Ingester, path string,
	meta archive.Metadata) (archive.Record, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return archive.Record{}, false, err
	}
	defer f.Close()
	return in.Ingest(ctx, f, meta)
}
