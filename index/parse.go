package index

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

// Limits on the parts of a clerk's query. They keep a pasted page of text
// from becoming a query of thousands of clauses.
const (
	maxParts      = 32  // words, phrases and filters together
	maxFieldChars = 100 // the value of one field:value filter
)

// Filter names a clerk may type before a colon, and the index field each
// one searches. Several names may share a field.
var filterFields = map[string]string{
	"owner":         fieldNames,
	"name":          fieldNames,
	"parcel":        fieldParcel,
	"plot":          fieldPlot,
	"neighbourhood": fieldNeighbourhood,
	"neighborhood":  fieldNeighbourhood,
	"street":        fieldStreet,
	"type":          fieldRecordType,
	"ref":           fieldReference,
	"year":          fieldYear,
}

// filterList is the known filter names, for the message that refuses an
// unknown one.
const filterList = "owner, name, parcel, plot, neighbourhood, street, type, ref, year"

// clerkQuery is a query as the clerk typed it, taken apart: plain words
// (all required), quoted phrases and field filters.
type clerkQuery struct {
	words   []string
	phrases []string
	filters []filter
}

// filter is one field:value part. For year, from and to bound the range.
type filter struct {
	field    string
	value    string
	from, to int
}

// parseQuery takes q apart. Control characters count as spaces; a quote
// with no partner is dropped, so what follows it is taken as words; an
// unknown filter name or a bad year is a sijil.Invalid error, because
// silently searching for "colour:red" as words would find nothing and not
// say why.
func parseQuery(q string) (clerkQuery, error) {
	var cq clerkQuery
	q = strings.Map(controlToSpace, q)
	if strings.Count(q, `"`)%2 == 1 {
		last := strings.LastIndex(q, `"`)
		q = q[:last] + " " + q[last+1:]
	}

	for i, part := range strings.Split(q, `"`) {
		if i%2 == 1 {
			if p := strings.TrimSpace(part); p != "" {
				cq.phrases = append(cq.phrases, p)
			}
			continue
		}
		if err := cq.addWords(strings.Fields(part)); err != nil {
			return cq, err
		}
	}

	if len(cq.words)+len(cq.phrases)+len(cq.filters) > maxParts {
		return cq, sijil.Errorf(sijil.Invalid, "search.too_many_parts",
			"A search can have at most %d words, phrases and filters.", maxParts)
	}
	return cq, nil
}

// controlToSpace makes control and format characters that are not part
// of a word (tabs, NULs, bidi marks typed between words) into spaces. The
// ones inside a word are dropped later by Fold.
func controlToSpace(r rune) rune {
	if r == utf8.RuneError || unicode.IsControl(r) {
		return ' '
	}
	return r
}

// addWords sorts the unquoted fields of the query into words and filters.
func (cq *clerkQuery) addWords(fields []string) error {
	for _, w := range fields {
		name, value, ok := strings.Cut(w, ":")
		if !ok || !isFilterName(name) || value == "" {
			cq.words = append(cq.words, w)
			continue
		}

		f, err := newFilter(strings.ToLower(name), value)
		if err != nil {
			return err
		}
		cq.filters = append(cq.filters, f)
	}
	return nil
}

// isFilterName reports whether s looks like a filter name: ASCII letters
// only, so "10:30" and "٤٥١٧:ب" stay words.
func isFilterName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '_' {
			return false
		}
	}
	return true
}

// newFilter checks a field:value part and resolves its field.
func newFilter(name, value string) (filter, error) {
	field, ok := filterFields[name]
	if !ok {
		return filter{}, sijil.Errorf(sijil.Invalid, "search.unknown_field",
			"Unknown search field %q: use one of %s.", name, filterList)
	}
	if utf8.RuneCountInString(value) > maxFieldChars {
		return filter{}, sijil.Errorf(sijil.Invalid, "search.field_too_long",
			"The value of %s: can be at most %d characters long.", name, maxFieldChars)
	}

	f := filter{field: field, value: value}
	if field != fieldYear {
		return f, nil
	}
	var err error
	f.from, f.to, err = parseYears(value)
	return f, err
}

// Years a record can bear; anything else is a typing mistake.
const (
	minYear = 1800
	maxYear = 2200
)

// parseYears reads "1998" or "1995..1999", in either digit set.
func parseYears(value string) (from, to int, err error) {
	value = Fold(value)
	lo, hi, isRange := strings.Cut(value, "..")
	if !isRange {
		hi = lo
	}

	from, errLo := strconv.Atoi(lo)
	to, errHi := strconv.Atoi(hi)
	if errLo != nil || errHi != nil || from > to || from < minYear || to > maxYear {
		return 0, 0, sijil.Errorf(sijil.Invalid, "search.bad_year",
			"Write a year as 1998 or a range as 1995..1999 (between %d and %d).",
			minYear, maxYear)
	}
	return from, to, nil
}
