package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// timeLayout is how timestamps are stored: RFC 3339 in UTC with a fixed
// fraction, so that string order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Record is one ingested file: an original scan and what describes it.
type Record struct {
	ID         string // "rec_" and 16 random hex digits
	SHA256     string // of the original, lower-case hex
	Filename   string // as uploaded; never used to guess the type
	MediaType  string // sniffed from the bytes: one of the Media constants
	SizeBytes  int64
	PageCount  int
	RecordType string // one of RecordTypes, or "" when nobody said
	Reference  string // ASCII digits
	Title      string
	CreatedAt  time.Time // UTC

	// What the manifest or the archivist says; OCR misreads the digits of
	// such fields, so they are never taken from the page text.
	Date          string   // YYYY, YYYY-MM or YYYY-MM-DD (DateForms), or "" when unknown
	Year          int      // of Date; 0 when unknown
	Names         []string // parties: owners, holders
	NationalIDs   []string // ASCII digits; never indexed, logged or put in an event
	Parcel        string   // ASCII digits
	Plot          string   // ASCII digits
	Neighbourhood string
	Street        string
	Source        string // register, box, series

	// Origin is where the original was first read from: a file's absolute
	// path, or what the web upload says. The same bytes seen again from the
	// same origin are a resumed import, not a duplicate.
	Origin string

	// Restricted records are shown to staff only through ViewRecord, which
	// records every view.
	Restricted bool
}

// Page is one page of a record: its corrected image, its OCR text, and the
// rotation (0, 90, 180 or 270 degrees clockwise) that was applied to the
// scanned page to make it upright.
type Page struct {
	RecordID string
	Number   int // from 1
	Width    int // of the stored, corrected image
	Height   int
	Rotation int
	ImageKey string
	TextKey  string
	Text     string // as Tesseract gave it, bidi marks included

	Skew       float64 // slope of the scan's lines, degrees clockwise; the image was turned back
	Confidence int     // Tesseract's mean word confidence, 0-100; -1 when unknown or no words

	// stored is what ingest put in the store for the page, for the
	// fixity baselines written with the page's row.
	stored []objectCheck
}

// Store reads archive rows and makes the archivist's corrections. It is
// safe for concurrent use. The staff pages call:
//
//   - a record with its pages: ViewRecord(ctx, id, staffName), never
//     RecordByID and Pages, so that every view of a restricted record is an
//     event; Events and History for its timeline and corrections;
//   - before handing out an original or page images: ExportRecord;
//   - corrections: Update (Update.Set reads form fields) and EditPageText,
//     on a Store made WithIndexer so that search sees them at once;
//   - duplicates: Duplicates(DuplicateFilter{Status: DupOpen}) and Decide;
//   - the import queue and its failures: ImportJobs, ImportJobLines.
//
// Invalid errors carry a message key and a message an archivist can act
// on; NotFound names what is missing; Forbidden refuses an unnamed actor.
type Store struct {
	db    *sql.DB
	index Indexer // nil: corrections are refused, see WithIndexer
}

// NewStore returns a Store on db, whose schema Migrate has set up.
func NewStore(db *sql.DB) *Store { return &Store{db: db} }

// WithIndexer returns a copy of s that re-indexes a record's pages after
// a correction (Update, EditPageText), so that search finds the corrected
// values at once. Corrections on a Store without one are refused.
func (s *Store) WithIndexer(ix Indexer) *Store {
	c := *s
	c.index = ix
	return &c
}

const recordColumns = `id, sha256, filename, media_type, size_bytes, page_count,
	record_type, reference, title, created_at, record_date, record_year, names,
	national_ids, parcel, plot, neighbourhood, street, source, origin, restricted`

// RecordByID returns the record with the id, or a NotFound error.
func (s *Store) RecordByID(ctx context.Context, id string) (Record, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM records WHERE id = $1`, id)
	return scanOne(row, "id "+id)
}

// RecordBySHA256 returns the record of the original with the SHA-256
// (lower-case hex), or a NotFound error.
func (s *Store) RecordBySHA256(ctx context.Context, sha string) (Record, error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT `+recordColumns+` FROM records WHERE sha256 = $1`, sha)
	return scanOne(row, "SHA-256 "+sha)
}

// Records returns up to limit records, newest first.
func (s *Store) Records(ctx context.Context, limit int) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM records
		ORDER BY created_at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("archive: listing records: %w", err)
	}
	defer rows.Close()

	var recs []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: listing records: %w", err)
	}
	return recs, nil
}

// Pages returns the pages of a record in order. A record that does not
// exist has no pages: the result is empty, not an error.
func (s *Store) Pages(ctx context.Context, recordID string) ([]Page, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT record_id, number, width, height,
		rotation, image_key, text_key, text, skew_centidegrees, ocr_confidence
		FROM pages WHERE record_id = $1 ORDER BY number`, recordID)
	if err != nil {
		return nil, fmt.Errorf("archive: pages of %s: %w", recordID, err)
	}
	defer rows.Close()

	var pages []Page
	for rows.Next() {
		var (
			p    Page
			skew int
		)
		err := rows.Scan(&p.RecordID, &p.Number, &p.Width, &p.Height,
			&p.Rotation, &p.ImageKey, &p.TextKey, &p.Text, &skew, &p.Confidence)
		if err != nil {
			return nil, fmt.Errorf("archive: pages of %s: %w", recordID, err)
		}
		p.Skew = float64(skew) / 100
		pages = append(pages, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: pages of %s: %w", recordID, err)
	}
	return pages, nil
}

func scanOne(row *sql.Row, what string) (Record, error) {
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, sijil.Errorf(sijil.NotFound, "archive.record_not_found",
			"no archive record has %s", what)
	}
	return r, err
}

func scanRecord(sc interface{ Scan(...any) error }) (Record, error) {
	var (
		r           Record
		created     string
		names, nids string
	)
	err := sc.Scan(&r.ID, &r.SHA256, &r.Filename, &r.MediaType, &r.SizeBytes,
		&r.PageCount, &r.RecordType, &r.Reference, &r.Title, &created, &r.Date, &r.Year,
		&names, &nids, &r.Parcel, &r.Plot, &r.Neighbourhood, &r.Street, &r.Source,
		&r.Origin, &r.Restricted)
	if err != nil {
		return Record{}, fmt.Errorf("archive: reading a record: %w", err)
	}
	r.Names, r.NationalIDs = SplitList(names), SplitList(nids)
	r.CreatedAt, err = time.Parse(time.RFC3339Nano, created)
	if err != nil {
		return Record{}, fmt.Errorf("archive: record %s created_at: %w", r.ID, err)
	}
	return r, nil
}

// insertRecord writes a record, all its pages, its ingest event and the
// duplicate flags it raises in one transaction with the audit entry of
// meta, so that a failure leaves nothing half-written.
func (s *Store) insertRecord(ctx context.Context, r Record, pages []Page, meta Metadata) (
	err error) {
	actor := meta.Actor
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the original error says more than the rollback's
		}
	}()

	_, err = tx.ExecContext(ctx, `INSERT INTO records (`+recordColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
			$17, $18, $19, $20, $21)`,
		r.ID, r.SHA256, r.Filename, r.MediaType, r.SizeBytes, r.PageCount,
		r.RecordType, r.Reference, r.Title, r.CreatedAt.UTC().Format(timeLayout), r.Date,
		r.Year, strings.Join(r.Names, ";"), strings.Join(r.NationalIDs, ";"), r.Parcel,
		r.Plot, r.Neighbourhood, r.Street, r.Source, r.Origin, r.Restricted)
	if err != nil {
		return fmt.Errorf("archive: inserting record %s: %w", r.ID, err)
	}
	for _, p := range pages {
		_, err = tx.ExecContext(ctx, `INSERT INTO pages (record_id, number, width,
			height, rotation, image_key, text_key, text, skew_centidegrees, ocr_confidence)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.ID, p.Number, p.Width, p.Height, p.Rotation, p.ImageKey, p.TextKey, p.Text,
			int(math.Round(p.Skew*100)), p.Confidence)
		if err != nil {
			return fmt.Errorf("archive: inserting page %d of %s: %w", p.Number, r.ID, err)
		}
		if err = insertBaselines(ctx, tx, r.ID, r.CreatedAt, p.stored); err != nil {
			return err
		}
	}
	err = insertEvent(ctx, tx, Event{At: r.CreatedAt, Kind: EventIngested, RecordID: r.ID,
		Actor: actor, Detail: ingestDetail(r)})
	if err != nil {
		return err
	}
	if err = flagDuplicates(ctx, tx, r, r.CreatedAt, actor); err != nil {
		return err
	}
	if err = meta.Audit.write(ctx, tx, r.ID); err != nil {
		return err
	}

	if err = tx.Commit(); err != nil {
		return fmt.Errorf("archive: commit record %s: %w", r.ID, err)
	}
	return nil
}
