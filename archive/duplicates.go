package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// Why two records may be one document.
const (
	DupSameBytes         = "same_bytes"           // one file, archived again from elsewhere
	DupSameReference     = "same_reference"       // two files with one reference number
	DupSameTypeAndParcel = "same_type_and_parcel" // two records of one kind on one parcel
)

// What the archivist decided about a flag.
const (
	DupOpen         = "open"           // not decided yet
	DupNotDuplicate = "not_duplicate"  // two documents after all
	DupKept         = "duplicate_kept" // one document; both records stay, linked by the flag
	DupMoot         = "moot"           // a correction took away what the two shared
)

// DuplicateFlag says that two records may be one document. Nothing is
// dropped at ingest: the archivist decides.
type DuplicateFlag struct {
	ID        string // "dup_" and 16 random hex digits
	Reason    string // one of the Dup reasons
	RecordID  string // the earlier record
	OtherID   string // the later one; for DupSameBytes the same record
	Detail    string // what the two share; never a national ID
	FlaggedAt time.Time
	Status    string    // one of the Dup statuses
	DecidedBy string    // "" while open
	DecidedAt time.Time // zero while open
	Note      string    // the archivist's reason
}

// DuplicateFilter chooses flags for Duplicates.
type DuplicateFilter struct {
	Status   string // one of the Dup statuses; "" means every status
	RecordID string // only flags naming this record on either side; "" means any
	Limit    int    // at most this many; 0 means 100
}

// Decision is the archivist's verdict on a flag.
type Decision struct {
	Status string // DupNotDuplicate or DupKept
	By     string // the archivist, required
	Note   string // why, required
	Audit  Audit  // the entry of the admins' trail, written with the decision; nil for none
}

// seenAgain flags the record of bytes that came in again from another
// origin. From the same origin it is a resumed or repeated import, which
// raises nothing. One flag per record: a third copy adds none.
func (s *Store) seenAgain(ctx context.Context, rec Record, meta Metadata, at time.Time) error {
	if meta.Origin != "" && meta.Origin == rec.Origin {
		return nil
	}
	detail := "the same file came in again"
	if meta.Filename != "" {
		detail += " as " + meta.Filename
	}
	if meta.Origin != "" {
		detail += " from " + meta.Origin
	}

	return s.inTx(ctx, func(tx *sql.Tx) error {
		return insertFlag(ctx, tx, DupSameBytes, rec.ID, rec.ID, detail, at, meta.Actor)
	})
}

// flagDuplicates flags every other record that shares rec's reference
// number, or its record type and parcel, inside tx: at ingest, and after
// an edit of those fields. A pair already flagged for a reason, decided
// or not, is not flagged again, unless a correction had made that flag
// moot. An open flag of rec whose cause a correction took away is closed
// as moot, so the archivist is not asked about two records that no
// longer share anything.
func flagDuplicates(ctx context.Context, tx *sql.Tx, rec Record, at time.Time,
	actor string) error {
	if err := closeMootFlags(ctx, tx, rec, at, actor); err != nil {
		return err
	}

	type rule struct {
		reason, where, detail string
		args                  []any
	}
	var rules []rule
	if rec.Reference != "" {
		rules = append(rules, rule{DupSameReference, "reference = $2",
			"both have reference number " + rec.Reference, []any{rec.Reference}})
	}
	if rec.RecordType != "" && rec.Parcel != "" {
		rules = append(rules, rule{DupSameTypeAndParcel, "record_type = $2 AND parcel = $3",
			"both are " + rec.RecordType + " of parcel " + rec.Parcel,
			[]any{rec.RecordType, rec.Parcel}})
	}

	for _, r := range rules {
		others, err := otherRecords(ctx, tx, rec.ID, r.where, r.args)
		if err != nil {
			return err
		}
		for _, o := range others {
			first, second := rec.ID, o.id
			if o.created < rec.CreatedAt.UTC().Format(timeLayout) ||
				(o.created == rec.CreatedAt.UTC().Format(timeLayout) && o.id < rec.ID) {
				first, second = o.id, rec.ID
			}
			if err := insertFlag(ctx, tx, r.reason, first, second, r.detail, at,
				actor); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeMootFlags closes, inside tx, the open flags naming rec whose two
// records no longer share the reference number, or the record type and
// parcel, that raised them.
func closeMootFlags(ctx context.Context, tx *sql.Tx, rec Record, at time.Time,
	actor string) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+flagColumns+` FROM duplicate_flags
		WHERE status = $1 AND reason IN ($2, $3) AND (record_id = $4 OR other_id = $4)`,
		DupOpen, DupSameReference, DupSameTypeAndParcel, rec.ID)
	if err != nil {
		return fmt.Errorf("archive: open flags of %s: %w", rec.ID, err)
	}
	var open []DuplicateFlag
	for rows.Next() {
		d, err := scanFlag(rows)
		if err != nil {
			rows.Close()
			return err
		}
		open = append(open, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive: open flags of %s: %w", rec.ID, err)
	}

	for _, flag := range open {
		other := flag.OtherID
		if other == rec.ID {
			other = flag.RecordID
		}
		var ref, typ, parcel string
		err := tx.QueryRowContext(ctx, `SELECT reference, record_type, parcel FROM records
			WHERE id = $1`, other).Scan(&ref, &typ, &parcel)
		if err != nil {
			return fmt.Errorf("archive: record %s of flag %s: %w", other, flag.ID, err)
		}
		shared := rec.Reference != "" && ref == rec.Reference
		if flag.Reason == DupSameTypeAndParcel {
			shared = rec.RecordType != "" && rec.Parcel != "" && typ == rec.RecordType &&
				parcel == rec.Parcel
		}
		if shared {
			continue
		}
		d := Decision{Status: DupMoot, By: actor,
			Note: "a correction of " + rec.ID + " took away what the two records shared"}
		if err := saveDecision(ctx, tx, flag, d, at); err != nil {
			return err
		}
	}
	return nil
}

// recheckDuplicates runs flagDuplicates again in a transaction of its
// own, after the record's has committed.
func (s *Store) recheckDuplicates(ctx context.Context, rec Record, actor string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return flagDuplicates(ctx, tx, rec, time.Now().UTC(), actor)
	})
}

type otherRecord struct{ id, created string }

// otherRecords returns the records other than id matching where, whose
// placeholders start at $2. They are read in full before any insert,
// since a PostgreSQL connection runs one statement at a time.
func otherRecords(ctx context.Context, tx *sql.Tx, id, where string, args []any) (
	[]otherRecord, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, created_at FROM records
		WHERE id <> $1 AND `+where+` ORDER BY created_at, id`, append([]any{id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("archive: duplicates of %s: %w", id, err)
	}
	defer rows.Close()

	var out []otherRecord
	for rows.Next() {
		var o otherRecord
		if err := rows.Scan(&o.id, &o.created); err != nil {
			return nil, fmt.Errorf("archive: duplicates of %s: %w", id, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: duplicates of %s: %w", id, err)
	}
	return out, nil
}

// insertFlag writes an open flag unless the pair has one for the reason
// (a moot one opens again: a later correction brought the cause back),
// and records an event on the later record when it does.
func insertFlag(ctx context.Context, tx *sql.Tx, reason, recordID, otherID, detail string,
	at time.Time, actor string) error {
	id := newID("dup_")
	res, err := tx.ExecContext(ctx, `INSERT INTO duplicate_flags (id, reason, record_id,
		other_id, detail, flagged_at, status, decided_by, decided_at, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '', '', '')
		ON CONFLICT (reason, record_id, other_id) DO UPDATE SET status = $7,
			decided_by = '', decided_at = '', note = '', detail = $5, flagged_at = $6
			WHERE duplicate_flags.status = $8`,
		id, reason, recordID, otherID, detail, at.UTC().Format(timeLayout), DupOpen, DupMoot)
	if err != nil {
		return fmt.Errorf("archive: flagging %s and %s: %w", recordID, otherID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}

	what := "flagged " + id + " (" + reason + ")"
	if otherID != recordID {
		what += " with " + recordID
	}
	return insertEvent(ctx, tx, Event{At: at, Kind: EventDuplicateFlagged, RecordID: otherID,
		Actor: actor, Detail: what + ": " + detail})
}

// Duplicates returns the flags the filter chooses, oldest first, so that
// the archivist works through them in the order they were raised.
func (s *Store) Duplicates(ctx context.Context, f DuplicateFilter) ([]DuplicateFlag, error) {
	if f.Status != "" && !validStatus(f.Status) {
		return nil, sijil.Errorf(sijil.Invalid, "archive.duplicate_status",
			"status %q is not one of open, not_duplicate, duplicate_kept, moot", f.Status)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+flagColumns+` FROM duplicate_flags
		WHERE ($1 = '' OR status = $1) AND ($2 = '' OR record_id = $2 OR other_id = $2)
		ORDER BY flagged_at, id LIMIT $3`, f.Status, f.RecordID, limit)
	if err != nil {
		return nil, fmt.Errorf("archive: listing duplicates: %w", err)
	}
	defer rows.Close()

	var flags []DuplicateFlag
	for rows.Next() {
		d, err := scanFlag(rows)
		if err != nil {
			return nil, err
		}
		flags = append(flags, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: listing duplicates: %w", err)
	}
	return flags, nil
}

// Decide records the archivist's decision on flag id, and on the other
// open flags of the same two records, and returns the flag as decided. A
// decided flag may be decided again; each decision is an event. Errors: Invalid for a bad decision, NotFound for no such flag.
func (s *Store) Decide(ctx context.Context, id string, d Decision) (DuplicateFlag, error) {
	if d.Status == DupOpen || d.Status == DupMoot || !validStatus(d.Status) {
		return DuplicateFlag{}, sijil.Errorf(sijil.Invalid, "archive.decision",
			"decide a flag as not_duplicate or duplicate_kept, not %q", d.Status)
	}
	d.By, d.Note = strings.TrimSpace(d.By), strings.TrimSpace(d.Note)
	if err := checkChange(Change{By: d.By, Reason: d.Note}); err != nil {
		return DuplicateFlag{}, err
	}

	var flag DuplicateFlag
	now := time.Now().UTC().Truncate(time.Microsecond)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		flag, err = scanFlag(tx.QueryRowContext(ctx,
			`SELECT `+flagColumns+` FROM duplicate_flags WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return sijil.Errorf(sijil.NotFound, "archive.duplicate_not_found",
				"no duplicate flag has id %s", id)
		}
		if err != nil {
			return err
		}
		if err := saveDecision(ctx, tx, flag, d, now); err != nil {
			return err
		}
		if err := decideAlike(ctx, tx, flag, d, now); err != nil {
			return err
		}
		return d.Audit.write(ctx, tx, flag.ID)
	})
	if err != nil {
		return DuplicateFlag{}, err
	}

	flag.Status, flag.DecidedBy, flag.DecidedAt, flag.Note = d.Status, d.By, now, d.Note
	return flag, nil
}

// decideAlike gives the same decision to the other open flags of the same
// two records: whether they are one record is one question, whichever of
// their reference or their parcel raised it, and the archivist answers it
// once.
func decideAlike(ctx context.Context, tx *sql.Tx, flag DuplicateFlag, d Decision,
	now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+flagColumns+` FROM duplicate_flags
		WHERE status = $1 AND id <> $2 AND ((record_id = $3 AND other_id = $4)
			OR (record_id = $4 AND other_id = $3))`,
		DupOpen, flag.ID, flag.RecordID, flag.OtherID)
	if err != nil {
		return fmt.Errorf("archive: flags alike %s: %w", flag.ID, err)
	}
	var alike []DuplicateFlag
	for rows.Next() {
		f, err := scanFlag(rows)
		if err != nil {
			rows.Close()
			return err
		}
		alike = append(alike, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive: flags alike %s: %w", flag.ID, err)
	}
	for _, f := range alike {
		if err := saveDecision(ctx, tx, f, d, now); err != nil {
			return err
		}
	}
	return nil
}

// saveDecision writes the decision on flag and its event.
func saveDecision(ctx context.Context, tx *sql.Tx, flag DuplicateFlag, d Decision,
	now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE duplicate_flags SET status = $1, decided_by = $2,
		decided_at = $3, note = $4 WHERE id = $5`,
		d.Status, d.By, now.Format(timeLayout), d.Note, flag.ID)
	if err != nil {
		return fmt.Errorf("archive: deciding %s: %w", flag.ID, err)
	}
	// The note stays in the flag: free text might hold a national ID.
	return insertEvent(ctx, tx, Event{At: now, Kind: EventDuplicateDecided,
		RecordID: flag.OtherID, Actor: d.By, Detail: fmt.Sprintf("decided %s %s on %s (%s)",
			flag.ID, d.Status, flag.RecordID, flag.Reason)})
}

func validStatus(s string) bool {
	return s == DupOpen || s == DupNotDuplicate || s == DupKept || s == DupMoot
}

const flagColumns = `id, reason, record_id, other_id, detail, flagged_at, status,
	decided_by, decided_at, note`

// scanFlag reads a flag; a missing row comes back as sql.ErrNoRows.
func scanFlag(sc interface{ Scan(...any) error }) (DuplicateFlag, error) {
	var (
		d                  DuplicateFlag
		flagged, decidedAt string
	)
	err := sc.Scan(&d.ID, &d.Reason, &d.RecordID, &d.OtherID, &d.Detail, &flagged,
		&d.Status, &d.DecidedBy, &decidedAt, &d.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return d, err
	}
	if err != nil {
		return d, fmt.Errorf("archive: reading a duplicate flag: %w", err)
	}
	if d.FlaggedAt, err = time.Parse(time.RFC3339Nano, flagged); err != nil {
		return d, fmt.Errorf("archive: flag %s time: %w", d.ID, err)
	}
	if decidedAt != "" {
		if d.DecidedAt, err = time.Parse(time.RFC3339Nano, decidedAt); err != nil {
			return d, fmt.Errorf("archive: flag %s decision time: %w", d.ID, err)
		}
	}
	return d, nil
}
