package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sijil-municipality/sijil/archive"
)

// imports runs `sijil imports`: the bulk imports, newest first, and with
// --job the lines of one that were not archived, with their reasons, as
// the archivist's import page shows them.
func (e *env) imports(ctx context.Context, args []string) error {
	fs := e.flags("imports")
	data := dataFlag(fs)
	job := fs.String("job", "", "list this job's lines that were not archived")
	all := fs.Bool("all", false, "with --job, list every line")
	limit := fs.Int("limit", 20, "at most this many jobs")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 || (*all && *job == "") {
		return fmt.Errorf("%w: imports [--limit N] | imports --job ID [--all]", errUsage)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	store := archive.NewStore(a.db)

	if *job != "" {
		lines, err := store.ImportJobLines(ctx, *job, !*all)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintf(e.stdout, "line %d\t%s\t%s\t%s\t%s\n", l.Line, l.File, l.State,
				l.RecordID, l.Reason)
		}
		fmt.Fprintf(e.stdout, "%d lines below the header\n", len(lines))
		return nil
	}
	jobs, err := store.ImportJobs(ctx, *limit)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		finished := "unfinished (run the manifest again to resume)"
		if !j.FinishedAt.IsZero() {
			finished = "finished " + j.FinishedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s, %s\t%d lines below the header: %d archived, "+
			"%d refused, %d failed, %d pending\n", j.ID, j.ManifestPath,
			"started "+j.StartedAt.Format(time.RFC3339), finished, j.Total, j.Done, j.Refused,
			j.Failed, j.Pending)
	}
	return nil
}
