package index

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
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
// (all required), words with wildcards, quoted phrases and field filters.
type clerkQuery struct {
	words    []string
	patterns []pattern
	phrases  []string
	filters  []filter
}

// filter is one field:value part. For year, from and to bound the range;
// pat is set when the value has wildcards; phrase when the value was
// quoted (owner:"أحمد الخطيب"), its words to be found together, in order.
type filter struct {
	field    string
	value    string
	from, to int
	pat      *pattern
	phrase   bool
}

// pattern is a word with wildcards: * for any letters, ? for one (see
// wildcards for the other characters that count as them).
type pattern struct {
	// text is folded as the index folds words (see Fold), since bleve
	// matches a pattern against the index's terms without analysing it.
	text string

	// prefix is set when the only wildcard is one * at the end: bleve
	// then looks the word up as a prefix where it can, which is cheaper.
	prefix bool
}

// Limits on patterns. A pattern is matched against every term of the
// index that could fit it, so one that starts with a wildcard, or has
// few letters, walks most of a million pages' vocabulary.
const (
	maxPatterns        = 4 // words with wildcards in one query
	maxWildcards       = 3 // * and ? in one word
	minPatternLetters  = 2 // letters or digits in a word with wildcards
	minLeadingWildcard = 3 // ... when it starts with a wildcard
	wildAny, wildOne   = '*', '?'
)

// newPattern reads w as a pattern; ok is false when w has no wildcard.
// A pattern too loose to look up is a sijil.Invalid error.
func newPattern(w string) (p pattern, ok bool, err error) {
	if !hasWildcard(w) {
		return pattern{}, false, nil
	}

	// NFKC, in Fold, makes the full-width forms plain * and ?.
	text := Fold(strings.NewReplacer("؟", "?", "٭", "*").Replace(w))
	for strings.Contains(text, "**") {
		text = strings.ReplaceAll(text, "**", "*")
	}
	wild, letters := 0, 0
	for _, r := range text {
		switch {
		case r == wildAny || r == wildOne:
			wild++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			letters++
		}
	}

	leading := strings.IndexAny(text, "*?") == 0
	switch {
	case wild > maxWildcards:
		return pattern{}, true, sijil.Errorf(sijil.Invalid, "search.too_many_wildcards",
			"A word can have at most %d wildcards (* or ?): type more of it.", maxWildcards)
	case letters < minPatternLetters, leading && letters < minLeadingWildcard:
		return pattern{}, true, sijil.Errorf(sijil.Invalid, "search.wildcard_too_short",
			"Type at least %d letters with * or ?, or %d when the word starts with one.",
			minPatternLetters, minLeadingWildcard)
	}
	prefix := wild == 1 && strings.HasSuffix(text, "*")
	return pattern{text: text, prefix: prefix}, true, nil
}

// clitics are the letters the Arabic stemmer (stem) strips from the front
// of a word: the article and the conjunctions and prepositions glued to
// it. A pattern may stand behind one, so "بلد*" finds "البلدية" and
// "م?مد" finds "والمحمد", as a plain word would.
const clitics = "(?:ال|وال|بال|كال|فال|لل|و)?"

// expr is p as a regular expression over a whole folded word, behind an
// optional clitic when words of the field may carry one.
func (p pattern) expr(withClitics bool) string {
	expr := regexp.QuoteMeta(p.text)
	expr = strings.ReplaceAll(strings.ReplaceAll(expr, `\*`, ".*"), `\?`, ".")
	if withClitics {
		expr = clitics + expr
	}
	return expr
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

	parts := strings.Split(q, `"`)
	for i := 0; i < len(parts); i++ {
		if i%2 == 1 {
			if p := strings.TrimSpace(parts[i]); p != "" {
				cq.phrases = append(cq.phrases, p)
			}
			continue
		}
		words := strings.Fields(parts[i])
		if n := len(words); n > 0 && i+1 < len(parts) {
			// owner:"أحمد محمود": the quoted words are the filter's value.
			if name, ok := strings.CutSuffix(words[n-1], ":"); ok && isFilterName(name) {
				if err := cq.addWords(words[:n-1]); err != nil {
					return cq, err
				}
				i++
				if err := cq.addQuotedFilter(name, parts[i]); err != nil {
					return cq, err
				}
				continue
			}
		}
		if err := cq.addWords(words); err != nil {
			return cq, err
		}
	}

	if len(cq.words)+len(cq.patterns)+len(cq.phrases)+len(cq.filters) > maxParts {
		return cq, sijil.Errorf(sijil.Invalid, "search.too_many_parts",
			"A search can have at most %d words, phrases and filters.", maxParts)
	}
	if cq.countPatterns() > maxPatterns {
		return cq, sijil.Errorf(sijil.Invalid, "search.too_many_wildcards",
			"A search can have at most %d words with * or ?.", maxPatterns)
	}
	return cq, nil
}

func (cq clerkQuery) countPatterns() int {
	n := len(cq.patterns)
	for _, f := range cq.filters {
		if f.pat != nil {
			n++
		}
	}
	return n
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
	for i := 0; i < len(fields); i++ {
		w := fields[i]
		name, value, ok := strings.Cut(w, ":")
		if ok && value == "" && isFilterName(name) && i+1 < len(fields) {
			// "owner: أحمد", or what is left of owner:"أحمد when its quote
			// had no partner: the next word is the filter's value.
			i++
			value = fields[i]
		}
		if !ok || !isFilterName(name) || value == "" {
			if err := cq.addWord(w); err != nil {
				return err
			}
			continue
		}

		f, err := newFilter(strings.ToLower(name), value, false)
		if err != nil {
			return err
		}
		cq.filters = append(cq.filters, f)
	}
	return nil
}

// addQuotedFilter adds the filter name:"value". The quotes make the value
// literal: a * in it is not a wildcard. An empty value filters nothing.
func (cq *clerkQuery) addQuotedFilter(name, value string) error {
	value = strings.Join(strings.Fields(value), " ")
	if value == "" {
		return nil
	}
	f, err := newFilter(strings.ToLower(name), value, true)
	if err != nil {
		return err
	}
	cq.filters = append(cq.filters, f)
	return nil
}

// addWord adds w as a plain word or, when it has wildcards, as patterns:
// the index splits "1234/98" or "Al-Mukhtar" into two words, so a
// pattern is cut where the analyzer would cut it ("1234/9*" is the word
// 1234 and the pattern 9*), and a part made only of wildcards ("4517/*")
// is dropped when other parts remain.
func (cq *clerkQuery) addWord(w string) error {
	if !hasWildcard(w) {
		cq.words = append(cq.words, w)
		return nil
	}

	parts := strings.FieldsFunc(w, isWordBreak)
	for _, part := range parts {
		if len(parts) > 1 && strings.Trim(part, wildcards) == "" {
			continue
		}
		p, isPattern, err := newPattern(part)
		switch {
		case err != nil:
			return err
		case isPattern:
			cq.patterns = append(cq.patterns, p)
		default:
			cq.words = append(cq.words, part)
		}
	}
	return nil
}

// wildcards are the characters a clerk types for "any letters" and "one
// letter": the Arabic keyboard's ٭ and ؟, and full-width forms, count.
const wildcards = "*?٭؟＊？"

func hasWildcard(w string) bool { return strings.ContainsAny(w, wildcards) }

// isWordBreak reports the characters between words: anything but
// letters, digits, combining marks, invisible format controls (dropped by
// Fold inside a word) and wildcards.
func isWordBreak(r rune) bool {
	switch {
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r):
		return false
	case unicode.Is(unicode.Cf, r), strings.ContainsRune(wildcards, r):
		return false
	}
	return true
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

// newFilter checks a field:value part, quoted or not, and resolves its
// field.
func newFilter(name, value string, quoted bool) (filter, error) {
	field, ok := filterFields[name]
	if !ok {
		return filter{}, sijil.Errorf(sijil.Invalid, "search.unknown_field",
			"Unknown search field %q: use one of %s.", name, filterList)
	}
	if utf8.RuneCountInString(value) > maxFieldChars {
		return filter{}, sijil.Errorf(sijil.Invalid, "search.field_too_long",
			"The value of %s: can be at most %d characters long.", name, maxFieldChars)
	}

	f := filter{field: field, value: value, phrase: quoted && strings.Contains(value, " ")}
	switch {
	case field == fieldYear:
		var err error
		f.from, f.to, err = parseYears(value)
		return f, err
	case field == fieldRecordType && !hasWildcard(value) &&
		!slices.Contains(archive.RecordTypes, value):
		// Record types are codes: "type:رخصة" would find nothing, silently.
		return filter{}, sijil.Errorf(sijil.Invalid, "search.unknown_type",
			"Unknown record type %q: use type: with one of %s.", value,
			strings.Join(archive.RecordTypes, ", "))
	case quoted:
		return f, nil
	}

	p, isPattern, err := newPattern(value)
	if isPattern {
		f.pat = &p
	}
	return f, err
}

// Years a record can bear; anything else is a typing mistake.
const (
	minYear = archive.MinYear
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
