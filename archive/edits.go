package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

// Update is a correction of a record's fields. A nil field is left as it
// is, so that a form sending only the parcel cannot blank the rest; a
// pointer to "" (or to an empty list) clears the field.
type Update struct {
	RecordType    *string
	Reference     *string
	Title         *string
	Date          *string // YYYY, YYYY-MM or YYYY-MM-DD in any digit set, or "" for unknown
	Names         *[]string
	NationalIDs   *[]string
	Parcel        *string
	Plot          *string
	Neighbourhood *string
	Street        *string
	Source        *string
	Restricted    *bool
}

// EditableFields are the names Update.Set accepts, as History reports them.
var EditableFields = []string{"record_type", "reference", "title", "date", "names",
	"national_ids", "parcel", "plot", "neighbourhood", "street", "source", "restricted"}

// Set sets one field from its text form, as a form or the command line
// gives it: names and national IDs ';'-separated, restricted yes or no.
// Values are checked by Store.Update; an unknown field is Invalid here.
func (u *Update) Set(field, value string) error {
	str := func(p **string) { *p = &value }
	switch field {
	case "record_type":
		str(&u.RecordType)
	case "reference":
		str(&u.Reference)
	case "title":
		str(&u.Title)
	case "date":
		str(&u.Date)
	case "parcel":
		str(&u.Parcel)
	case "plot":
		str(&u.Plot)
	case "neighbourhood":
		str(&u.Neighbourhood)
	case "street":
		str(&u.Street)
	case "source":
		str(&u.Source)
	case "names":
		l := SplitList(value)
		u.Names = &l
	case "national_ids":
		l := SplitList(value)
		u.NationalIDs = &l
	case "restricted":
		b, ok := parseYesNo(value)
		if !ok {
			return sijil.Errorf(sijil.Invalid, "archive.restricted",
				"restricted must be yes or no, not %q", value)
		}
		u.Restricted = &b
	default:
		return sijil.Errorf(sijil.Invalid, "archive.unknown_field",
			"%q is not a field of a record; the fields are %s", field,
			strings.Join(EditableFields, ", "))
	}
	return nil
}

// Apply sets m's fields from u's set ones, so that an upload form or the
// command line describes a new file with the names Update.Set reads.
// Ingest checks the values.
func (m *Metadata) Apply(u Update) {
	for _, f := range []struct{ from, to *string }{
		{u.RecordType, &m.RecordType}, {u.Reference, &m.Reference}, {u.Title, &m.Title},
		{u.Date, &m.Date}, {u.Parcel, &m.Parcel}, {u.Plot, &m.Plot},
		{u.Neighbourhood, &m.Neighbourhood}, {u.Street, &m.Street}, {u.Source, &m.Source},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if u.Names != nil {
		m.Names = *u.Names
	}
	if u.NationalIDs != nil {
		m.NationalIDs = *u.NationalIDs
	}
	if u.Restricted != nil {
		m.Restricted = *u.Restricted
	}
}

// Change says who corrects a record and why; both are required and kept
// with every edit.
type Change struct {
	By     string // the archivist's name or account
	Reason string
	Audit  Audit // the entry of the admins' trail, written with the change; nil for none
}

// Audit writes the audit trail's entry of an archivist's action inside the
// transaction of the change it records, so that no change commits without
// its entry, nor an entry for a change that rolled back. id is what was
// changed: the record's id, or the flag's for a decision on a duplicate.
// It runs only when something changes.
type Audit func(ctx context.Context, tx *sql.Tx, id string) error

// write runs a, if there is one.
func (a Audit) write(ctx context.Context, tx *sql.Tx, id string) error {
	if a == nil {
		return nil
	}
	if err := a(ctx, tx, id); err != nil {
		return fmt.Errorf("archive: the audit entry of %s was not written, so the change "+
			"was not saved: %w", id, err)
	}
	return nil
}

// Edit is one field's correction, as History returns it. Page is 0 for a
// record's field and the page number for a page's OCR text (Field "text").
// Old and New of "national_ids" are national IDs: show them masked.
type Edit struct {
	ID       string
	RecordID string
	Page     int
	Field    string
	Old, New string
	By       string
	At       time.Time
	Reason   string
}

// maxPageText bounds a corrected page's text, in characters; a dense
// page of Arabic is about 5,000.
const maxPageText = 100_000

// Update corrects the record's fields, keeps the old and new value of
// each changed field in its history, records an event, flags any new
// duplicate its reference, type or parcel make, and re-indexes its pages.
// A change to nothing changes nothing and records nothing. Errors:
// Invalid for a bad value or a missing By or Reason, NotFound for no such
// record. If re-indexing fails the correction stays and the record comes
// back with the error; `sijil reindex` mends the index.
func (s *Store) Update(ctx context.Context, id string, u Update, c Change) (Record, error) {
	if s.index == nil {
		return Record{}, errors.New("archive: Update needs a Store made WithIndexer")
	}
	if err := checkChange(c); err != nil {
		return Record{}, err
	}

	var (
		old, next Record
		changed   []string
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if old, err = lockRecord(ctx, tx, id); err != nil {
			return err
		}
		if next, err = u.apply(old); err != nil {
			return err
		}
		if changed, err = saveUpdate(ctx, tx, old, next, c); err != nil || len(changed) == 0 {
			return err
		}
		return c.Audit.write(ctx, tx, id)
	})
	if err != nil {
		return Record{}, err
	}
	if len(changed) == 0 {
		return old, nil
	}

	var errs []error
	if slices.ContainsFunc(changed, raisesDuplicates) {
		// As at ingest: a record committed meanwhile is seen now.
		if err := s.recheckDuplicates(ctx, next, c.By); err != nil {
			errs = append(errs, fmt.Errorf("archive: record %s is corrected but not "+
				"checked again for duplicates: %w", id, err))
		}
	}
	if slices.ContainsFunc(changed, isIndexed) {
		pages, err := s.Pages(ctx, id)
		if err == nil {
			err = indexRecord(context.WithoutCancel(ctx), s.index, next, pages)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("archive: record %s is corrected but its search "+
				"entries are not (run sijil reindex): %w", id, err))
		}
	}
	return next, errors.Join(errs...)
}

// raisesDuplicates reports whether a change of the field may make the
// record a duplicate of another.
func raisesDuplicates(field string) bool {
	return field == "reference" || field == "record_type" || field == "parcel"
}

// isIndexed reports whether search sees the field.
func isIndexed(field string) bool {
	return field != "national_ids" && field != "source" && field != "restricted"
}

// apply returns rec with u's fields checked and set.
func (u Update) apply(rec Record) (Record, error) {
	var err error
	for _, f := range []struct {
		v     *string
		field string
		to    *string
		ident bool
	}{
		{u.Reference, "reference", &rec.Reference, true},
		{u.Title, "title", &rec.Title, false},
		{u.Parcel, "parcel", &rec.Parcel, true},
		{u.Plot, "plot", &rec.Plot, true},
		{u.Neighbourhood, "neighbourhood", &rec.Neighbourhood, false},
		{u.Street, "street", &rec.Street, false},
		{u.Source, "source", &rec.Source, false},
	} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if f.ident {
			v = identifier(v)
		}
		if err := checkLength(f.field, v); err != nil {
			return rec, err
		}
		*f.to = v
	}
	if u.RecordType != nil {
		rec.RecordType = strings.TrimSpace(*u.RecordType)
		if err := checkRecordType(rec.RecordType); err != nil {
			return rec, err
		}
	}
	if u.Date != nil {
		rec.Date = identifier(*u.Date)
		if rec.Year, err = yearOf(rec.Date); err != nil {
			return rec, err
		}
	}
	if u.Names != nil {
		if rec.Names, err = cleanNames(*u.Names); err != nil {
			return rec, err
		}
	}
	if u.NationalIDs != nil {
		if rec.NationalIDs, err = cleanNationalIDs(*u.NationalIDs); err != nil {
			return rec, err
		}
	}
	if u.Restricted != nil {
		rec.Restricted = *u.Restricted
	}
	return rec, nil
}

// editedFields lists a record's editable fields in their text form, in
// the order of EditableFields.
func editedFields(r Record) []string {
	return []string{r.RecordType, r.Reference, r.Title, r.Date, strings.Join(r.Names, ";"),
		strings.Join(r.NationalIDs, ";"), r.Parcel, r.Plot, r.Neighbourhood, r.Street,
		r.Source, strconv.FormatBool(r.Restricted)}
}

// saveUpdate writes next over old with a history row per changed field,
// an event and new duplicate flags, and returns the changed fields.
func saveUpdate(ctx context.Context, tx *sql.Tx, old, next Record, c Change) (
	[]string, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	before, after := editedFields(old), editedFields(next)
	var changed []string
	for i, field := range EditableFields {
		if before[i] == after[i] {
			continue
		}
		changed = append(changed, field)
		if err := insertEdit(ctx, tx, old.ID, 0, field, before[i], after[i], c, now); err != nil {
			return nil, err
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}

	_, err := tx.ExecContext(ctx, `UPDATE records SET record_type = $1, reference = $2,
		title = $3, record_date = $4, record_year = $5, names = $6, national_ids = $7,
		parcel = $8, plot = $9, neighbourhood = $10, street = $11, source = $12,
		restricted = $13 WHERE id = $14`,
		next.RecordType, next.Reference, next.Title, next.Date, next.Year,
		strings.Join(next.Names, ";"), strings.Join(next.NationalIDs, ";"), next.Parcel,
		next.Plot, next.Neighbourhood, next.Street, next.Source, next.Restricted, next.ID)
	if err != nil {
		return nil, fmt.Errorf("archive: updating record %s: %w", next.ID, err)
	}
	// The reason is free text and stays in the history, out of the event.
	err = insertEvent(ctx, tx, Event{At: now, Kind: EventEdited, RecordID: next.ID,
		Actor: c.By, Detail: "corrected " + strings.Join(changed, ", ")})
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(changed, raisesDuplicates) {
		if err := flagDuplicates(ctx, tx, next, now, c.By); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

// EditPageText replaces the OCR text of a page with the archivist's
// correction, keeps the old text in the history, records an event and
// re-indexes the page. Tesseract's own output stays in the page's text
// blob. Errors as for Update; NotFound also for no such page.
func (s *Store) EditPageText(ctx context.Context, recordID string, number int, text string,
	c Change) (Page, error) {
	if s.index == nil {
		return Page{}, errors.New("archive: EditPageText needs a Store made WithIndexer")
	}
	if err := checkChange(c); err != nil {
		return Page{}, err
	}
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return Page{}, sijil.Errorf(sijil.Invalid, "archive.page_text_not_text",
			"a page's text must be UTF-8 without NUL bytes")
	}
	if utf8.RuneCountInString(text) > maxPageText {
		return Page{}, sijil.Errorf(sijil.Invalid, "archive.page_text",
			"a page's text can be at most %d characters", maxPageText)
	}

	var (
		rec     Record
		changed bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if rec, err = lockRecord(ctx, tx, recordID); err != nil {
			return err
		}
		if changed, err = savePageText(ctx, tx, recordID, number, text, c); err != nil ||
			!changed {
			return err
		}
		return c.Audit.write(ctx, tx, recordID)
	})
	if err != nil {
		return Page{}, err
	}

	page, err := s.page(ctx, recordID, number)
	if err != nil || !changed {
		return page, err
	}
	err = s.index.IndexPages(context.WithoutCancel(ctx),
		[]PageText{pageText(rec, number, page.Text)})
	if err != nil {
		return page, fmt.Errorf("archive: page %d of %s is corrected but its search entry "+
			"is not (run sijil reindex): %w", number, recordID, err)
	}
	return page, nil
}

// savePageText writes a page's new text with its history row and event,
// and reports whether it differed from the old.
func savePageText(ctx context.Context, tx *sql.Tx, recordID string, number int,
	text string, c Change) (bool, error) {
	var old string
	err := tx.QueryRowContext(ctx, `SELECT text FROM pages WHERE record_id = $1
		AND number = $2`, recordID, number).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return false, sijil.Errorf(sijil.NotFound, "archive.page_not_found",
			"record %s has no page %d", recordID, number)
	}
	if err != nil {
		return false, fmt.Errorf("archive: page %d of %s: %w", number, recordID, err)
	}
	if old == text {
		return false, nil
	}

	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err = tx.ExecContext(ctx, `UPDATE pages SET text = $1 WHERE record_id = $2
		AND number = $3`, text, recordID, number)
	if err != nil {
		return false, fmt.Errorf("archive: page %d of %s: %w", number, recordID, err)
	}
	if err := insertEdit(ctx, tx, recordID, number, "text", old, text, c, now); err != nil {
		return false, err
	}
	err = insertEvent(ctx, tx, Event{At: now, Kind: EventPageTextEdited, RecordID: recordID,
		Actor: c.By, Detail: fmt.Sprintf("corrected the text of page %d", number)})
	if err != nil {
		return false, err
	}
	return true, nil
}

// page returns one page of a record, or NotFound.
func (s *Store) page(ctx context.Context, recordID string, number int) (Page, error) {
	pages, err := s.Pages(ctx, recordID)
	if err != nil {
		return Page{}, err
	}
	for _, p := range pages {
		if p.Number == number {
			return p, nil
		}
	}
	return Page{}, sijil.Errorf(sijil.NotFound, "archive.page_not_found",
		"record %s has no page %d", recordID, number)
}

func insertEdit(ctx context.Context, tx *sql.Tx, recordID string, page int, field,
	old, new string, c Change, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO record_edits (id, record_id, page, field,
		old_value, new_value, edited_by, edited_at, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		newID("edt_"), recordID, page, field, old, new, c.By, at.Format(timeLayout), c.Reason)
	if err != nil {
		return fmt.Errorf("archive: history of %s: %w", recordID, err)
	}
	return nil
}

// History returns every correction of the record and its pages, oldest
// first, or NotFound for no such record.
func (s *Store) History(ctx context.Context, recordID string) ([]Edit, error) {
	if _, err := s.RecordByID(ctx, recordID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, page, field, old_value, new_value,
		edited_by, edited_at, reason FROM record_edits WHERE record_id = $1
		ORDER BY edited_at, page, field`, recordID)
	if err != nil {
		return nil, fmt.Errorf("archive: history of %s: %w", recordID, err)
	}
	defer rows.Close()

	var edits []Edit
	for rows.Next() {
		e := Edit{RecordID: recordID}
		var at string
		err := rows.Scan(&e.ID, &e.Page, &e.Field, &e.Old, &e.New, &e.By, &at, &e.Reason)
		if err != nil {
			return nil, fmt.Errorf("archive: history of %s: %w", recordID, err)
		}
		if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("archive: edit %s time: %w", e.ID, err)
		}
		edits = append(edits, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: history of %s: %w", recordID, err)
	}
	return edits, nil
}

// checkChange refuses a correction that does not say who made it and why.
func checkChange(c Change) error {
	if strings.TrimSpace(c.By) == "" {
		return sijil.Errorf(sijil.Invalid, "archive.no_editor",
			"say who makes the change (the archivist's name)")
	}
	if strings.TrimSpace(c.Reason) == "" {
		return sijil.Errorf(sijil.Invalid, "archive.no_reason",
			"say why: a correction without a reason cannot be reviewed later")
	}
	return checkLengths([][2]string{{"who", c.By}, {"reason", c.Reason}})
}

// lockRecord reads a record inside tx after writing its row, so that a
// concurrent correction waits until tx ends and then reads what tx wrote:
// the history's old values are then always the values replaced. (SELECT
// … FOR UPDATE would do it in PostgreSQL only.)
func lockRecord(ctx context.Context, tx *sql.Tx, id string) (Record, error) {
	_, err := tx.ExecContext(ctx, `UPDATE records SET title = title WHERE id = $1`, id)
	if err != nil {
		return Record{}, fmt.Errorf("archive: locking record %s: %w", id, err)
	}
	return scanOne(tx.QueryRowContext(ctx,
		`SELECT `+recordColumns+` FROM records WHERE id = $1`, id), "id "+id)
}

// inTx runs fn in a transaction and commits unless fn fails, so that a
// change and its history and events are written together or not at all.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the original error says more than the rollback's
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("archive: commit: %w", err)
	}
	return nil
}
