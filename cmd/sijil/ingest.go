package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

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
	manifest := fs.String("manifest", "", "CSV manifest of a bulk import (header: "+
		archive.ManifestHeader+", optionally followed by ,restricted)")
	workers := fs.Int("workers", runtime.NumCPU(), "files read at once by --manifest")
	by := byFlag(fs)
	var fields fieldFlags
	fs.Var(&fields, "field", "NAME=VALUE describing the files, repeatable, as for "+
		"'record edit' (e.g. --field parcel=1234 --field restricted=yes)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	// Flags are checked before the data folder is opened, which a running
	// server holds: a typo is then reported as itself, not as a held index.
	if *recordType != "" && !slices.Contains(archive.RecordTypes, *recordType) {
		return fmt.Errorf("%w: --type %q is not one of %s", errUsage, *recordType,
			strings.Join(archive.RecordTypes, ", "))
	}
	if err := (archive.Tesseract{}).Check(ctx, strings.Split(*lang, "+")); err != nil {
		return err
	}
	if *manifest != "" {
		if fs.NArg() > 0 || *recordType != "" || *reference != "" || fields.set > 0 {
			return fmt.Errorf("%w: --manifest names the files, their types and "+
				"fields itself", errUsage)
		}
		return e.bulkIngest(ctx, *data, *manifest, *workers, strings.Split(*lang, "+"), *by)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: name at least one file to ingest, or --manifest", errUsage)
	}

	a, in, err := openIngester(ctx, e, *data, strings.Split(*lang, "+"))
	if err != nil {
		return err
	}
	defer a.Close()

	// Every file is tried; a refused one does not stop the others, and
	// the command fails at the end if any was refused.
	var failed int
	for _, path := range fs.Args() {
		// The absolute path tells a repeated run (no duplicate) from the same
		// scan found in another folder (flagged for the archivist).
		origin, err := filepath.Abs(path)
		if err != nil {
			return fmt.Errorf("ingest %s: %w", path, err)
		}
		meta := archive.Metadata{Filename: filepath.Base(path), RecordType: *recordType,
			Reference: *reference, Origin: origin, Actor: *by}
		meta.Apply(fields.u)
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
			note := ""
			if d := archive.Differences(meta, rec); len(d) > 0 {
				note = "; its record says otherwise of " + strings.Join(d, ", ") +
					", which was not applied: correct it with sijil record edit"
			}
			fmt.Fprintf(e.stdout, "%s\t%s\talready archived (%s)%s\n", rec.ID, path,
				pages(rec.PageCount), note)
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

// openIngester opens (or makes) the data folder and its Ingester reading
// pages in langs; the caller closes the app.
func openIngester(ctx context.Context, e *env, data dataPlace, langs []string) (
	*app, *archive.Ingester, error) {
	a, err := openApp(ctx, data, e.log, true)
	if err != nil {
		return nil, nil, err
	}
	in, err := a.ingester()
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	in.Languages = langs
	return a, in, nil
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

// bulkIngest imports the files a manifest lists, resuming the manifest's
// unfinished job if there is one, and prints a report of every line that
// was not archived.
func (e *env) bulkIngest(ctx context.Context, data dataPlace, manifest string, workers int,
	langs []string, actor string) error {
	if workers < 1 {
		return fmt.Errorf("%w: --workers must be at least 1", errUsage)
	}
	m, err := archive.ReadManifest(manifest)
	if err != nil {
		return err
	}

	a, in, err := openIngester(ctx, e, data, langs)
	if err != nil {
		return err
	}
	defer a.Close()

	show, stop := e.progress(in)
	bulk := &archive.BulkImport{Ingester: in, Workers: workers, Progress: show, Actor: actor}
	rep, err := bulk.Run(ctx, m)
	stop()
	if err != nil && rep.JobID == "" {
		return err
	}

	e.printReport(manifest, rep)
	switch {
	case ctx.Err() != nil:
		return sijil.Errorf(sijil.Unavailable, "ingest.interrupted",
			"interrupted: run the same command again to resume job %s", rep.JobID)
	case err != nil:
		return err
	case rep.Refused+rep.Failed+rep.Pending > 0:
		return sijil.Errorf(sijil.Invalid, "ingest.refused",
			"%d of %d lines were not archived (reasons above); archived files are not "+
				"read again on the next run", rep.Refused+rep.Failed+rep.Pending, rep.Total)
	}
	return nil
}

// progressEvery spaces the progress lines written to a log.
const progressEvery = 2 * time.Second

// progress returns what shows a bulk import's progress: a bar when stderr
// is a terminal, else slog lines; stop ends the bar. On a terminal the
// Ingester logs warnings only, which would otherwise break the bar.
func (e *env) progress(in *archive.Ingester) (show func(archive.BulkProgress), stop func()) {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		var last time.Time
		return func(p archive.BulkProgress) {
			finished := p.Done+p.Refused+p.Failed == p.Total
			if !finished && time.Since(last) < progressEvery {
				return
			}
			last = time.Now()
			e.log.Info("bulk import progress", "done", p.Done, "total", p.Total,
				"refused", p.Refused, "failed", p.Failed, "elapsed_ms", p.Elapsed.Milliseconds())
		}, func() {}
	}

	in.Log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var bar *progressbar.ProgressBar
	return func(p archive.BulkProgress) {
			if bar == nil {
				bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(f),
					progressbar.OptionSetDescription("ingest"), progressbar.OptionShowCount(),
					progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth())
			}
			_ = bar.Set(p.Done + p.Refused + p.Failed) // a bar that cannot draw is no failure
		}, func() {
			if bar != nil {
				_ = bar.Finish()
				fmt.Fprintln(f)
			}
		}
}

// printReport prints the job's counts and every line not archived, or
// archived with something to say (its description not applied), with its
// reason, which never contains a national ID.
func (e *env) printReport(manifest string, rep archive.BulkReport) {
	// Lines are numbered as in the file, the header being line 1.
	fmt.Fprintf(e.stdout, "%s: job %s, %d lines below the header: %d archived, %d refused, "+
		"%d failed, %d pending\n", manifest, rep.JobID, rep.Total, rep.Done, rep.Refused,
		rep.Failed, rep.Pending)
	for _, l := range rep.Lines {
		if l.State != archive.LineDone || l.NotApplied() != nil {
			fmt.Fprintf(e.stdout, "line %d\t%s\t%s\t%s\n", l.Line, l.File, l.State, l.Reason)
		}
	}
}
