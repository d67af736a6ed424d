package index

import (
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	bleveunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// The parts of the sijil_ar analyzer, for analysing a page's words
// outside bleve: marking the words a query found, in a snippet or on the
// page image, must see each word exactly as the index saw it.
var (
	wordsTok    = wordsTokenizer{words: bleveunicode.NewUnicodeTokenizer()}
	lowerFilter = lowercase.NewLowerCaseFilter()
	normFilter  = ar.NewArabicNormalizeFilter()
)

// word is one word of a text as the index holds it.
type word struct {
	start, end int    // bytes of the original text
	exact      string // folded, as text_exact and the names hold it
	stem       string // folded and stemmed, as text holds it
}

// analyzeWords splits text into words as the sijil_ar analyzer does.
func analyzeWords(text string) []word {
	toks := wordsTok.Tokenize([]byte(text))
	toks = normFilter.Filter(foldFilter{}.Filter(lowerFilter.Filter(toks)))

	out := make([]word, len(toks))
	for i, t := range toks {
		out[i] = word{start: t.Start, end: t.End, exact: string(t.Term)}
	}
	// The stemmer rewrites the terms in place, so it runs after the
	// folded forms are copied.
	for i, t := range (stemFilter{}).Filter(toks) {
		out[i].stem = string(t.Term)
	}
	return out
}

// wordMatcher knows which words of a page a query found. It compares
// words as the index does, folded and stemmed, so a page's "أحمد" is
// marked for a query "احمد".
type wordMatcher struct {
	stems    map[string]bool  // of plain words and phrases
	exact    map[string]bool  // of name, place, parcel and plot filters
	patterns []*regexp.Regexp // on the folded word
	fuzzy    []fuzzyTerm
}

// fuzzyTerm is a stemmed query word matched with up to n letters wrong.
type fuzzyTerm struct {
	stem string
	n    int
}

// newWordMatcher prepares the words of cq for matching; fuzzy adds the
// near spellings that Query also accepts for long words.
func newWordMatcher(cq clerkQuery, fuzzy bool) *wordMatcher {
	m := &wordMatcher{stems: map[string]bool{}, exact: map[string]bool{}}
	for _, w := range cq.words {
		n := 0
		if fuzzy {
			n = fuzziness(w)
		}
		for _, t := range analyzeWords(w) {
			m.stems[t.stem] = true
			if n > 0 {
				m.fuzzy = append(m.fuzzy, fuzzyTerm{stem: t.stem, n: n})
			}
		}
	}
	for _, p := range cq.phrases {
		for _, t := range analyzeWords(p) {
			m.stems[t.stem] = true
		}
	}
	for _, p := range cq.patterns {
		m.addPattern(p)
	}

	for _, f := range cq.filters {
		switch {
		case f.field == fieldYear, f.field == fieldRecordType, f.field == fieldReference:
			// Not words of the page, or, for a reference, too often a
			// single letter ("ب") that would mark every such word.
		case f.pat != nil:
			m.addPattern(*f.pat)
		default:
			for _, t := range analyzeWords(f.value) {
				m.exact[t.exact] = true
			}
		}
	}
	return m
}

func (m *wordMatcher) addPattern(p pattern) {
	// As bleve's regexp query does, the pattern covers the whole word.
	m.patterns = append(m.patterns, regexp.MustCompile("^(?:"+p.expr(true)+")$"))
}

// matches reports whether the query found w.
func (m *wordMatcher) matches(w word) bool {
	if m.stems[w.stem] || m.exact[w.exact] {
		return true
	}
	for _, re := range m.patterns {
		if re.MatchString(w.exact) {
			return true
		}
	}
	for _, f := range m.fuzzy {
		if editDistance(w.stem, f.stem, f.n) <= f.n {
			return true
		}
	}
	return false
}

// editDistance is the Levenshtein distance between a and b in letters
// (bleve's own counts bytes, two for each Arabic letter), or max+1 as
// soon as it exceeds max.
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}

	row := make([]int, len(rb)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		diag, best := row[0], i
		row[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			next := min(row[j]+1, row[j-1]+1, diag+cost)
			diag, row[j] = row[j], next
			best = min(best, next)
		}
		if best > max {
			return max + 1
		}
	}
	return row[len(rb)]
}

// MatchingWords returns the positions in words of those that query
// finds, in order, for drawing the hit on the page image: words are the
// page's OCR words (the text of its word boxes) in reading order. A word
// matches as it would in the text: in any spelling Fold ignores, by its
// stem, by a prefix or wildcard pattern, by a name or place filter's
// value, or, for a long word, with a letter or two wrong. Each word of a
// phrase is marked on its own. The query's errors are those of Query.
func MatchingWords(query string, words []string) ([]int, error) {
	raw, err := checkQuery(query, 1)
	if err != nil {
		return nil, err
	}
	cq, err := parseQuery(raw)
	if err != nil {
		return nil, err
	}

	m := newWordMatcher(cq, true)
	var out []int
	for i, w := range words {
		for _, t := range analyzeWords(w) {
			if m.matches(t) {
				out = append(out, i)
				break
			}
		}
	}
	return out, nil
}

// Span is a run of bytes, [Start, End), of a Hit's Snippet.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Snippet sizes, in words.
const (
	snippetWords  = 30
	snippetBefore = 5 // words shown before the first mark
)

// ellipsis marks where a snippet cuts the text.
const ellipsis = "…"

// snippet returns the part of text with the most distinct matched words
// and where they are in it. A page found by its title or names alone
// gets its first words, unmarked.
func (m *wordMatcher) snippet(text string) (string, []Span) {
	words := analyzeWords(text)
	if len(words) == 0 {
		return "", nil
	}
	matched := make([]bool, len(words))
	for i, w := range words {
		matched[i] = m.matches(w)
	}

	from := bestWindow(words, matched)
	to := min(from+snippetWords, len(words))
	start, end := words[from].start, words[to-1].end
	if from == 0 {
		start = 0
	}
	if to == len(words) {
		end = len(text)
	}

	var b strings.Builder
	if start > 0 {
		b.WriteString(ellipsis)
	}
	shift := b.Len() - start
	b.WriteString(text[start:end])
	if end < len(text) {
		b.WriteString(ellipsis)
	}

	var marks []Span
	for i := from; i < to; i++ {
		if matched[i] {
			marks = append(marks, Span{Start: words[i].start + shift, End: words[i].end + shift})
		}
	}
	return b.String(), marks
}

// bestWindow returns the first word of the window of snippetWords words
// that holds the most distinct matched words, starting a little before
// a matched word.
func bestWindow(words []word, matched []bool) int {
	best, bestCount := 0, 0
	for i := range words {
		if !matched[i] {
			continue
		}
		from := max(0, i-snippetBefore)
		seen := map[string]bool{}
		for j := from; j < min(from+snippetWords, len(words)); j++ {
			if matched[j] {
				seen[words[j].stem] = true
			}
		}
		if len(seen) > bestCount {
			best, bestCount = from, len(seen)
		}
	}
	return best
}
