package archive

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

// maxFieldLen bounds one descriptive field, in characters: a long street
// name fits, a pasted page does not.
const maxFieldLen = 500

// clean checks what the archivist or a manifest says about a file and
// returns it in the form the database keeps: spaces trimmed, the digits of
// identifiers and dates in ASCII, names and national IDs without blanks.
// A refusal is Invalid, names the field, and never quotes a national ID;
// every field's refusal is joined in it, so that a form can mark them all
// at once.
func (m Metadata) clean() (Metadata, error) {
	m.RecordType = strings.TrimSpace(m.RecordType)
	m.Reference = identifier(m.Reference)
	m.Title = strings.TrimSpace(m.Title)
	m.Date = identifier(m.Date)
	m.Parcel = identifier(m.Parcel)
	m.Plot = identifier(m.Plot)
	m.Neighbourhood = strings.TrimSpace(m.Neighbourhood)
	m.Street = strings.TrimSpace(m.Street)
	m.Source = strings.TrimSpace(m.Source)

	_, dateErr := yearOf(m.Date)
	names, namesErr := cleanNames(m.Names)
	ids, idsErr := cleanNationalIDs(m.NationalIDs)
	m.Names, m.NationalIDs = names, ids
	errs := []error{checkRecordType(m.RecordType), dateErr, namesErr, idsErr}
	for _, f := range [][2]string{{"file name", m.Filename}, {"reference", m.Reference},
		{"title", m.Title}, {"parcel", m.Parcel}, {"plot", m.Plot},
		{"neighbourhood", m.Neighbourhood}, {"street", m.Street}, {"source", m.Source}} {
		errs = append(errs, checkLength(f[0], f[1]))
	}
	return m, errors.Join(errs...)
}

// Differences returns the fields that meta, said of a file already
// archived, gives otherwise than its record rec: the record keeps what it
// says, and whoever sent meta is to be told what was not applied.
func Differences(meta Metadata, rec Record) []string {
	m, err := meta.clean()
	if err != nil {
		return nil // refused before the file was found archived
	}
	var out []string
	for _, f := range [][3]string{
		{"record_type", m.RecordType, rec.RecordType}, {"reference", m.Reference, rec.Reference},
		{"title", m.Title, rec.Title}, {"date", m.Date, rec.Date},
		{"names", strings.Join(m.Names, ";"), strings.Join(rec.Names, ";")},
		{"national_ids", strings.Join(m.NationalIDs, ";"), strings.Join(rec.NationalIDs, ";")},
		{"parcel", m.Parcel, rec.Parcel}, {"plot", m.Plot, rec.Plot},
		{"neighbourhood", m.Neighbourhood, rec.Neighbourhood}, {"street", m.Street, rec.Street},
		{"source", m.Source, rec.Source},
	} {
		if f[1] != "" && f[1] != f[2] {
			out = append(out, f[0])
		}
	}
	if m.Restricted && !rec.Restricted {
		out = append(out, "restricted")
	}
	return out
}

// identifier is a number-like field as stored: people type Arabic-Indic
// or Eastern digits, search and duplicate checks compare ASCII ones.
func identifier(s string) string {
	return sijil.NormalizeDigits(strings.Join(strings.Fields(s), " "))
}

func checkRecordType(t string) error {
	if t != "" && !slices.Contains(RecordTypes, t) {
		return sijil.Errorf(sijil.Invalid, "archive.record_type",
			"record type %q is not one of %s", t, strings.Join(RecordTypes, ", "))
	}
	return nil
}

// DateForms are the layouts a record's date may be written in. Old
// records often carry only a year, or a year and a month: the archivist
// writes what the record says rather than inventing a day.
var DateForms = []string{"2006", "2006-01", time.DateOnly}

// yearOf checks a record's date (or "", unknown), already in ASCII digits
// (see identifier), in one of DateForms, and returns its year, 0 when
// unknown. Archivists' edits, uploads and manifests all check dates here,
// so each accepts what the others do.
func yearOf(date string) (int, error) {
	if date == "" {
		return 0, nil
	}
	for _, layout := range DateForms {
		// The length check refuses what time.Parse forgives: "1998-4" for
		// "2006-01", which would store a date no other row is written as.
		if len(date) != len(layout) {
			continue
		}
		d, err := time.Parse(layout, date)
		if err != nil {
			continue
		}
		// A record's date is when it was written, so it is never ahead of
		// today: a future one is a typing slip (2031 for 2013).
		if d.After(time.Now()) {
			return 0, sijil.Errorf(sijil.Invalid, "archive.date_future",
				"date %q is in the future: give the date the record was written", date)
		}
		if d.Year() < MinYear {
			return 0, sijil.Errorf(sijil.Invalid, "archive.date_too_old",
				"date %q is before %d, which no register of the municipality holds and "+
					"search cannot find: check the year", date, MinYear)
		}
		return d.Year(), nil
	}
	if dateShape.MatchString(date) {
		return 0, sijil.Errorf(sijil.Invalid, "archive.date_impossible",
			"date %q is written right but does not exist (a 13th month, a 30 February): "+
				"check it against the register", date)
	}
	return 0, sijil.Errorf(sijil.Invalid, "archive.date",
		"date %q is not written YYYY, YYYY-MM or YYYY-MM-DD", date)
}

// MinYear is the earliest year a record may bear, and search look for.
const MinYear = 1800

// dateShape is a date written in one of DateForms, whether or not it
// exists.
var dateShape = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)

// cleanNames trims each name and drops blanks. A ';' inside a name is
// refused: the database keeps the list ';'-separated.
func cleanNames(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.Join(strings.Fields(n), " ")
		if n == "" {
			continue
		}
		if strings.Contains(n, ";") {
			return nil, sijil.Errorf(sijil.Invalid, "archive.name",
				"a name may not contain ';', which separates names")
		}
		if err := checkLength("names", n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// cleanNationalIDs checks each ID's check digit and returns them in ASCII
// digits. The refusal counts IDs instead of quoting them.
func cleanNationalIDs(ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !sijil.ValidNationalID(id) {
			return nil, sijil.Errorf(sijil.Invalid, "archive.national_id",
				"national ID number %d is not 9 digits with a valid check digit", len(out)+1)
		}
		out = append(out, sijil.NormalizeDigits(id))
	}
	return out, nil
}

// checkLengths checks (field, value) pairs in order.
func checkLengths(fields [][2]string) error {
	for _, f := range fields {
		if err := checkLength(f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

func checkLength(field, v string) error {
	if utf8.RuneCountInString(v) > maxFieldLen {
		return sijil.Errorf(sijil.Invalid, "archive.too_long",
			"%s is longer than %d characters", field, maxFieldLen)
	}
	if !utf8.ValidString(v) {
		return sijil.Errorf(sijil.Invalid, "archive.not_utf8", "%s is not valid UTF-8", field)
	}
	if strings.ContainsFunc(v, notText) {
		return sijil.Errorf(sijil.Invalid, "archive.control_chars",
			"%s holds a control character (such as NUL) or a bidi override, which a "+
				"record cannot keep: type it again", field)
	}
	return nil
}

// notText reports a character no field of a record may hold: a control
// character but tab and line ends (PostgreSQL cannot store NUL at all),
// and the bidi embeddings, overrides and isolates that make a name or file
// name display as something it is not. The marks RLM and LRM stay.
func notText(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	}
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// parseYesNo reads a flag as a form, a manifest or the command line
// writes it; ok is false for anything else.
func parseYesNo(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "1":
		return true, true
	case "no", "false", "0":
		return false, true
	}
	return false, false
}
