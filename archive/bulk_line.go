package archive

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sijil-municipality/sijil"
)

// metadata is what the line says about its file.
func (l ManifestLine) metadata() Metadata {
	m := l.Meta
	return Metadata{Filename: fileName(l), RecordType: m.RecordType, Reference: m.Reference,
		Date: m.Date, Names: m.Names, NationalIDs: m.NationalIDs, Parcel: m.Parcel,
		Plot: m.Plot, Neighbourhood: m.Neighbourhood, Street: m.Street, Source: m.Source,
		Restricted: m.Restricted}
}

// importLine ingests one line's file and records the outcome in the job.
// It returns the line's new state; an error means the job itself could
// not be written.
func importLine(ctx context.Context, in *Ingester, j jobs, id string, root *os.Root,
	l ManifestLine, actor string) (string, error) {
	rec, existed, err := ingestFromRoot(ctx, in, root, l, actor)

	switch {
	case rec.ID != "":
		reason, key := "", ""
		if existed {
			reason, key = "already archived", "bulk.already_archived"
			// The record keeps what it says: the line's other description
			// is reported, not dropped in silence (the same file twice in a
			// manifest, or a corrected line imported again).
			if d := Differences(l.metadata(), rec); len(d) > 0 {
				reason = "already archived; this line's " + strings.Join(d, ", ") +
					" differ from the record's and were not applied: correct the record " +
					"on its page"
				key = "bulk.already_archived_differs"
			}
		}
		if err != nil {
			// The record is stored and a re-run would not index it again.
			in.log().ErrorContext(ctx, "bulk import: record not fully indexed",
				"record_id", rec.ID, "line", l.Line, "err", err)
			reason, key = "archived, but not fully indexed", "bulk.not_fully_indexed"
		}
		// The record is committed: its line is marked done even if the run
		// is being interrupted, so that the next run need not hash it again.
		return LineDone, j.done(context.WithoutCancel(ctx), id, l, rec, reason, key)
	case ctx.Err() != nil:
		return LinePending, nil
	}

	state, key, reason := LineFailed, "bulk.failed",
		"the file could not be archived; the log of the import says why"
	switch sijil.KindOf(err) {
	case sijil.Invalid, sijil.TooLarge, sijil.NotFound:
		state = LineRefused
		key, reason = sijil.UserMessage(err)
	case sijil.Unavailable, sijil.Conflict: // a missing tool, a held index: say which
		key, reason = sijil.UserMessage(err)
	default:
		// Its own words name the server's temporary files and tools, which
		// the imports page has no business showing; the log keeps them.
		in.log().ErrorContext(ctx, "bulk import: line failed", "line", l.Line, "err", err)
	}
	return state, j.set(ctx, id, l.Line, state, reason, key)
}

// ingestFromRoot opens the line's file inside the manifest's folder, so
// that a symbolic link swapped in since validation cannot lead outside.
func ingestFromRoot(ctx context.Context, in *Ingester, root *os.Root, l ManifestLine,
	actor string) (Record, bool, error) {
	if err := checkFile(root, l.File); err != nil {
		return Record{}, false, err
	}
	f, err := root.Open(l.File)
	if err != nil {
		return Record{}, false, sijil.Errorf(sijil.NotFound, "bulk.missing",
			"%s cannot be opened: %w", l.File, err)
	}
	defer f.Close()

	meta := l.metadata()
	meta.Origin, meta.Actor = filepath.Join(root.Name(), l.File), actor
	rec, existed, err := in.Ingest(ctx, f, meta)
	if err != nil && rec.ID == "" {
		return Record{}, false, fmt.Errorf("archive: line %d (%s): %w", l.Line, l.File, err)
	}
	return rec, existed, err
}
