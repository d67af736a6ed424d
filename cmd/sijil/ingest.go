package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sijil-municipality/sijil"

	"github.com/sijil-municipality/sijil/archive"
)

func (e *env) ingest(ctx context.Context, args []string) error {
	fs := e.flags("ingest")
	data := dataFlag(fs)
	recordType := fs.String("type", "", "record type, e.g. building_permit")
	reference := fs.String("reference", "", "reference number of the record")
	lang := fs.String("lang", "ara", "Tesseract languages, e.g. ara, eng or ara+eng "+
		"(ara+eng reads Arabic-only pages worse)")
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
	in.Languages = strings.Split(*lang, "+")

	// Every file is tried; a refused one does not stop the others, and
	// the command fails at the end if any was refused.
	var failed int
	for _, path := range fs.Args() {
		meta := archive.Metadata{Filename: filepath.Base(path), RecordType: *recordType,
			Reference: *reference}
		rec, existed, err := ingestFile(ctx, in, path, meta)
		switch {
		case ctx.Err() != nil:
			return sijil.Errorf(sijil.Unavailable, "ingest.interrupted",
				"interrupted: %s was not archived, nothing of it was recorded; files before "+
					"it are archived, run the same command again to continue", path)
		case err != nil:
			failed++
			reportError(e.stderr, e.log, "ingest "+path, err)
		case existed:
			fmt.Fprintf(e.stdout, "%s\t%s\talready archived (%s)\n", rec.ID, path,
				pages(rec.PageCount))
		default:
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", rec.ID, path, pages(rec.PageCount))
		}
	}
	if failed > 0 {
		return sijil.Errorf(sijil.Invalid, "ingest.refused",
			"%d of %d files were not ingested (reasons above)", failed, fs.NArg())
	}
	return nil
}

func pages(n int) string {
	if n == 1 {
		return "1 page"
	}
	return fmt.Sprintf("%d pages", n)
}

func ingestFile(ctx context.Context, in *archive.Ingester, path string,
	meta archive.Metadata) (archive.Record, bool, error) {
	// Only regular files: a folder, a device or a pipe would otherwise be
	// read until the size limit before being refused.
	info, err := os.Stat(path)
	if err != nil {
		return archive.Record{}, false, sijil.Errorf(sijil.NotFound, "ingest.no_file",
			"cannot read %s: %v", path, errors.Unwrap(err))
	}
	if !info.Mode().IsRegular() {
		return archive.Record{}, false, sijil.Errorf(sijil.Invalid, "ingest.not_file",
			"%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return archive.Record{}, false, err
	}
	defer f.Close()
	return in.Ingest(ctx, f, meta)
}
