package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sijil-municipality/sijil"
)

// RecordTypes are the record types a manifest may name.
var RecordTypes = []string{"building_permit", "craft_licence", "deed", "other"}

// BulkMetadata is what a manifest line says about its file. It is kept
// beside the record, keyed by record id, since OCR misreads the digits of
// reference numbers, parcels and dates.
type BulkMetadata struct {
	RecordType    string
	Reference     string
	Date          string   // in one of DateForms, in ASCII digits, or ""
	Names         []string // parties, in manifest order
	NationalIDs   []string // ASCII digits, each valid; never logged
	Parcel        string
	Plot          string
	Neighbourhood string
	Street        string
	Source        string // register, box, series
	Restricted    bool   // from the optional restricted column
}

// parseMetadata checks the fields of a manifest row (in header order,
// without the file; restricted is optional) and returns them, or a refusal a clerk can act on. A
// refusal never quotes a national ID.
func parseMetadata(f []string) (BulkMetadata, error) {
	m := BulkMetadata{
		RecordType: strings.TrimSpace(f[0]), Reference: strings.TrimSpace(f[1]),
		Date: sijil.NormalizeDigits(strings.TrimSpace(f[2])), Names: SplitList(f[3]),
		Parcel: strings.TrimSpace(f[5]), Plot: strings.TrimSpace(f[6]),
		Neighbourhood: strings.TrimSpace(f[7]), Street: strings.TrimSpace(f[8]),
		Source: strings.TrimSpace(f[9]),
	}

	if !slices.Contains(RecordTypes, m.RecordType) {
		return m, sijil.Errorf(sijil.Invalid, "bulk.record_type",
			"record_type %q is not one of %s", m.RecordType, strings.Join(RecordTypes, ", "))
	}
	if _, err := yearOf(m.Date); err != nil {
		return m, err
	}
	if len(f) > 10 && strings.TrimSpace(f[10]) != "" {
		r, ok := parseYesNo(f[10])
		if !ok {
			return m, sijil.Errorf(sijil.Invalid, "bulk.restricted",
				"restricted %q is not yes or no", f[10])
		}
		m.Restricted = r
	}
	for i, id := range SplitList(f[4]) {
		if !sijil.ValidNationalID(id) {
			return m, sijil.Errorf(sijil.Invalid, "bulk.national_id",
				"national ID number %d is not 9 digits with a valid check digit", i+1)
		}
		m.NationalIDs = append(m.NationalIDs, sijil.NormalizeDigits(id))
	}
	return m, nil
}

// SplitList splits a ';'-separated list, dropping blanks: how the archive
// keeps several names or IDs in a manifest field, a row and its history.
func SplitList(s string) []string {
	var out []string
	// An Arabic keyboard types the Arabic semicolon (U+061B) in its place.
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '؛' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// RecordBulkMetadata returns what the manifest line that first archived
// the record said about it, or a NotFound error for a record that came
// through no manifest.
func RecordBulkMetadata(ctx context.Context, db *sql.DB, recordID string) (
	BulkMetadata, error) {
	var m BulkMetadata
	var names, ids string
	err := db.QueryRowContext(ctx, `SELECT record_type, reference, record_date, names,
		national_ids, parcel, plot, neighbourhood, street, source
		FROM record_manifest_metadata WHERE record_id = $1`, recordID).Scan(&m.RecordType,
		&m.Reference, &m.Date, &names, &ids, &m.Parcel, &m.Plot, &m.Neighbourhood,
		&m.Street, &m.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return m, sijil.Errorf(sijil.NotFound, "bulk.no_metadata",
			"record %s was not archived from a manifest", recordID)
	}
	if err != nil {
		return m, fmt.Errorf("archive: manifest metadata of %s: %w", recordID, err)
	}
	m.Names, m.NationalIDs = SplitList(names), SplitList(ids)
	return m, nil
}
