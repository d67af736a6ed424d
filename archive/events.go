package archive

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Event is something that happened to the archive, kept for auditors: an
// ingest, a correction, a duplicate's flag or decision, a view of a
// restricted record, an export, a fixity check. Detail is plain English
// for a person and never holds a national ID.
type Event struct {
	ID        string // "evt_" and 16 random hex digits
	At        time.Time
	Kind      string // one of the Event constants
	RecordID  string // "" when the event concerns no single record
	ObjectKey string // the blob concerned, or ""
	Actor     string // the staff member who acted; "" for the machine's own work
	Detail    string
}

// The kinds of event besides fixity's.
const (
	EventIngested         = "record.ingested"
	EventEdited           = "record.edited"
	EventPageTextEdited   = "page.text_edited"
	EventDuplicateFlagged = "duplicate.flagged"
	EventDuplicateDecided = "duplicate.decided"
	EventRestrictedViewed = "record.restricted_viewed"
	EventExported         = "record.exported"
)

// sqlExecer is what both *sql.DB and *sql.Tx offer, so that an event can
// be written inside the transaction of the change it records.
type sqlExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ingestDetail describes a new record for its ingest event: what an
// auditor needs to find the file again, and no national ID.
func ingestDetail(r Record) string {
	d := fmt.Sprintf("archived %s (%s, %d pages)", r.Filename, r.MediaType, r.PageCount)
	if r.Origin != "" {
		d += " from " + r.Origin
	}
	if r.Restricted {
		d += ", restricted"
	}
	return d
}

// newID returns prefix and 16 random hex digits.
func newID(prefix string) string {
	var id [8]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails since Go 1.24
	return prefix + hex.EncodeToString(id[:])
}

// idLike finds a token of exactly nine digits, in any digit set: the
// shape of a national ID. Hashes and record ids mix digits with letters or
// run longer, and are left alone.
var idLike = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])([0-9٠-٩۰-۹]{9})(?:$|[^\p{L}\p{N}])`)

// redactIDs masks what looks like a national ID in an event's detail: a
// file named after a citizen's ID must not put the ID into the events.
func redactIDs(s string) string {
	var b strings.Builder
	for {
		m := idLike.FindStringSubmatchIndex(s)
		if m == nil {
			return b.String() + s
		}
		b.WriteString(s[:m[2]])
		b.WriteString("•••••••••")
		s = s[m[3]:]
	}
}

// insertEvent writes e, giving it an id; see redactIDs.
func insertEvent(ctx context.Context, tx sqlExecer, e Event) error {
	var recordID any // NULL, not "", so that the foreign key holds
	if e.RecordID != "" {
		recordID = e.RecordID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (id, at, kind, record_id,
		object_key, actor, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		newID("evt_"), e.At.UTC().Format(timeLayout), e.Kind,
		recordID, e.ObjectKey, e.Actor, redactIDs(e.Detail))
	if err != nil {
		return fmt.Errorf("archive: recording event %s: %w", e.Kind, err)
	}
	return nil
}

// Events returns the latest limit events about a record, oldest first: a
// record checked nightly gathers a fixity event per object every night,
// and what happened last is what its page must show.
func (s *Store) Events(ctx context.Context, recordID string, limit int) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, kind, object_key, actor, detail
		FROM (SELECT id, at, kind, object_key, actor, detail FROM events
			WHERE record_id = $1 ORDER BY at DESC, id DESC LIMIT $2) AS latest
		ORDER BY at, id`, recordID, limit)
	if err != nil {
		return nil, fmt.Errorf("archive: events of %s: %w", recordID, err)
	}
	defer rows.Close()

	var events []Event
	for rows.Next() {
		e := Event{RecordID: recordID}
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.ObjectKey, &e.Actor, &e.Detail); err != nil {
			return nil, fmt.Errorf("archive: events of %s: %w", recordID, err)
		}
		if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("archive: event %s time: %w", e.ID, err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: events of %s: %w", recordID, err)
	}
	return events, nil
}

// Phrase is a text of the portal's catalogs, by its key, and the values
// that fill its verbs in order. A value that is itself a Phrase is a code
// (a record type, a decision) to be translated before it fills its verb;
// a []Phrase, a list of them (the fields of a correction) to be joined.
type Phrase struct {
	Key  string
	Args []any
}

// detailForms are the details this package writes, each as the phrases
// it reads as: a page in Arabic must not show an auditor English. Events
// keep their English detail, which the command line prints and which
// rows written before the catalogs had these keys hold; a page reads it
// back through these forms. Keep them beside what writes each detail.
var detailForms = []detailForm{
	{re: regexp.MustCompile(`^decided (\S+) (not_duplicate|duplicate_kept) on (\S+) ` +
		`\((same_bytes|same_reference|same_type_and_parcel)\)$`),
		keys: []string{"archive.detail_decided"}, args: []int{4},
		codes: map[int]string{2: "archive.dup_status_", 4: "archive.dup_reason_"}},
	{regexp.MustCompile(`^archived (.+) \(([^,()]+), (\d+) pages\) from (.+), restricted$`),
		[]string{"archive.detail_ingested", "archive.detail_from", "archive.detail_restricted"},
		[]int{3, 1, 0}, nil},
	{regexp.MustCompile(`^archived (.+) \(([^,()]+), (\d+) pages\) from (.+)$`),
		[]string{"archive.detail_ingested", "archive.detail_from"}, []int{3, 1}, nil},
	{regexp.MustCompile(`^archived (.+) \(([^,()]+), (\d+) pages\), restricted$`),
		[]string{"archive.detail_ingested", "archive.detail_restricted"}, []int{3, 0}, nil},
	{regexp.MustCompile(`^archived (.+) \(([^,()]+), (\d+) pages\)$`),
		[]string{"archive.detail_ingested"}, []int{3}, nil},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(detailBaseline) + `$`),
		[]string{"archive.detail_baseline"}, []int{0}, nil},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(detailHashMatches) + `$`),
		[]string{"archive.detail_hash_matches"}, []int{0}, nil},
	{regexp.MustCompile(`^(\d+) bytes stored, (\d+) expected$`),
		[]string{"archive.detail_size_differs"}, []int{2}, nil},
	{regexp.MustCompile(`^SHA-256 ([0-9a-f]+), expected ([0-9a-f]+)$`),
		[]string{"archive.detail_hash_differs"}, []int{2}, nil},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(detailNotInStore) + `$`),
		[]string{"archive.detail_not_in_store"}, []int{0}, nil},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(detailRemade) + `$`),
		[]string{"archive.detail_remade"}, []int{0}, nil},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(detailRemadeDiffers) + `$`),
		[]string{"archive.detail_remade_differs"}, []int{0}, nil},
	{regexp.MustCompile(`^reading failed: (.+)$`),
		[]string{"archive.detail_read_failed"}, []int{1}, nil},
	{regexp.MustCompile(`^corrected the text of page (\d+)$`),
		[]string{"archive.detail_page_corrected"}, []int{1}, nil},
	{regexp.MustCompile(`^corrected (.+)$`),
		[]string{"archive.detail_corrected"}, []int{1}, nil},
	{regexp.MustCompile(`^exported for (.+)$`),
		[]string{"archive.detail_exported_for"}, []int{1}, nil},
	{regexp.MustCompile(`^exported$`), []string{"archive.detail_exported"}, []int{0}, nil},
	{regexp.MustCompile(`^viewed the restricted record$`),
		[]string{"archive.detail_viewed_restricted"}, []int{0}, nil},
}

// flagForms are the details of a duplicate flag (see flagDuplicates and
// seenAgain), which its event repeats after flaggedForm.
var flagForms = []detailForm{
	{re: regexp.MustCompile(`^the same file came in again as (.+) from (.+)$`),
		keys: []string{"archive.dup_detail_copy", "archive.detail_as", "archive.detail_from"},
		args: []int{0, 1, 1}},
	{re: regexp.MustCompile(`^the same file came in again as (.+)$`),
		keys: []string{"archive.dup_detail_copy", "archive.detail_as"}, args: []int{0, 1}},
	{re: regexp.MustCompile(`^the same file came in again from (.+)$`),
		keys: []string{"archive.dup_detail_copy", "archive.detail_from"}, args: []int{0, 1}},
	{re: regexp.MustCompile(`^the same file came in again$`),
		keys: []string{"archive.dup_detail_copy"}, args: []int{0}},
	{re: regexp.MustCompile(`^both have reference number (.+)$`),
		keys: []string{"archive.dup_detail_reference"}, args: []int{1}},
	{re: regexp.MustCompile(`^both are (` + strings.Join(RecordTypes, "|") + `) of parcel (.+)$`),
		keys: []string{"archive.dup_detail_parcel"}, args: []int{2},
		codes: map[int]string{1: "archive.type_"}},
}

// flaggedForm is the detail of a flag's event: the flag, the earlier
// record unless it is the same one, and the flag's own detail.
var flaggedForm = regexp.MustCompile(`^flagged (\S+) \([a-z_]+\)(?: with (\S+))?: (.+)$`)

// detailForm is one form of detail and the phrases it reads as.
type detailForm struct {
	re    *regexp.Regexp
	keys  []string       // one phrase per key, its args the next submatches
	args  []int          // how many submatches each phrase takes
	codes map[int]string // submatch number: catalog prefix of the code it holds
}

// DetailKeys are the catalog keys DetailPhrases may return, for a test
// that the catalogs have them all.
func DetailKeys() []string {
	keys := []string{"archive.detail_flagged", "archive.detail_flagged_with",
		"archive.origin_web_upload"}
	for _, f := range slices.Concat(detailForms, flagForms) {
		for _, k := range f.keys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// DetailPhrases returns e's detail as catalog phrases, or false for a
// detail of another form, which a page shows as written.
func (e Event) DetailPhrases() ([]Phrase, bool) {
	if m := flaggedForm.FindStringSubmatch(e.Detail); m != nil {
		if rest, ok := phrasesOf(flagForms, m[3]); ok {
			head := Phrase{Key: "archive.detail_flagged", Args: []any{m[1]}}
			if m[2] != "" {
				head = Phrase{Key: "archive.detail_flagged_with", Args: []any{m[1], m[2]}}
			}
			return append([]Phrase{head}, rest...), true
		}
	}
	return phrasesOf(detailForms, e.Detail)
}

// DetailPhrases returns the flag's detail as catalog phrases, or false for
// a detail of another form, which a page shows as written.
func (f DuplicateFlag) DetailPhrases() ([]Phrase, bool) {
	return phrasesOf(flagForms, f.Detail)
}

// phrasesOf reads detail by the first of forms it fits.
func phrasesOf(forms []detailForm, detail string) ([]Phrase, bool) {
	for _, f := range forms {
		m := f.re.FindStringSubmatch(detail)
		if m == nil {
			continue
		}
		var out []Phrase
		next := 1
		for i, k := range f.keys {
			p := Phrase{Key: k}
			for j, a := range m[next : next+f.args[i]] {
				p.Args = append(p.Args, phraseArg(k, a, f.codes[next+j]))
			}
			next += f.args[i]
			out = append(out, p)
		}
		return out, true
	}
	return nil, false
}

// phraseArg is one value of phrase key: a code to translate when prefix
// names its catalog, the fields a correction changed, each by its name,
// the portal's own origin of an upload, or the value as written.
func phraseArg(key, value, prefix string) any {
	switch {
	case prefix != "":
		return Phrase{Key: prefix + value}
	case key == "archive.detail_corrected":
		var fields []Phrase
		for _, f := range strings.Split(value, ", ") {
			fields = append(fields, Phrase{Key: "archive.field_" + f})
		}
		return fields
	case key == "archive.detail_from" && strings.HasPrefix(value, webUploadOrigin):
		return Phrase{Key: "archive.origin_web_upload",
			Args: []any{strings.TrimPrefix(value, webUploadOrigin)}}
	}
	return value
}

// webUploadOrigin starts the origin of a file uploaded through the portal:
// the same file uploaded again under its name is the same upload, not a
// second copy for the duplicates list.
const webUploadOrigin = "web upload of "

// WebUploadOrigin is the origin of a file uploaded through the portal
// under name.
func WebUploadOrigin(name string) string { return webUploadOrigin + name }
