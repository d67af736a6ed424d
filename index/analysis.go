package index

import (
	"fmt"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	bleveunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names under which Sijil's analysis parts are known to bleve. They are
// stored in each index's mapping, so renaming one makes old indexes
// unreadable: rebuild them.
const (
	wordsTokenizerName = "sijil_words"
	foldFilterName     = "sijil_fold"
	stemFilterName     = "sijil_stem"
	textAnalyzerName   = "sijil_ar"
	refAnalyzerName    = "sijil_ref"
	nameAnalyzerName   = "sijil_name"
	pairsFilterName    = "sijil_pairs"
	pairsAnalyzerName  = "sijil_ar_pairs"
)

var (
	registerOnce sync.Once
	errRegister  error
)

// register adds Sijil's tokenizer and token filter to bleve's global
// registry, once per process. It runs from Open rather than init so that a
// name clash is an error for the caller, not a panic at start.
func register() error {
	registerOnce.Do(func() {
		errRegister = registry.RegisterTokenizer(wordsTokenizerName, newWordsTokenizer)
		if errRegister == nil {
			errRegister = registry.RegisterTokenFilter(foldFilterName, newFoldFilter)
		}
		if errRegister == nil {
			errRegister = registry.RegisterTokenFilter(stemFilterName, newStemFilter)
		}
	})
	if errRegister != nil {
		return fmt.Errorf("index: register analysis: %w", errRegister)
	}
	return nil
}

// wordsTokenizer is bleve's Unicode word tokenizer with one change: it
// splits a word where Arabic letters meet digits, because OCR and typists
// glue a number to the word before it ("رقم٤٥١٧", "و4517") and the number
// alone must be findable. Offsets stay those of the original text, so the
// highlighter marks the right characters; the Unicode rules already keep
// bidi controls and harakat inside words.
type wordsTokenizer struct {
	words analysis.Tokenizer
}

func newWordsTokenizer(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
	return wordsTokenizer{words: bleveunicode.NewUnicodeTokenizer()}, nil
}

// Tokenize implements analysis.Tokenizer.
func (w wordsTokenizer) Tokenize(input []byte) analysis.TokenStream {
	words := w.words.Tokenize(input)
	out := make(analysis.TokenStream, 0, len(words))
	for _, word := range words {
		for _, tok := range splitDigits(word) {
			tok.Position = len(out) + 1
			out = append(out, tok)
		}
	}
	return out
}

// splitDigits cuts a word into runs of digits and runs of Arabic letters.
// Other characters (marks, controls, Latin letters) stay with the run they
// follow, so "A12" and "مُحَمَّد" are not cut.
func splitDigits(word *analysis.Token) []*analysis.Token {
	var out []*analysis.Token
	start, class := 0, 0
	for i, r := range string(word.Term) {
		c := runeClass(r)
		if c != 0 && class != 0 && c != class {
			out = append(out, subToken(word, start, i, class))
			start = i
		}
		if c != 0 {
			class = c
		}
	}
	return append(out, subToken(word, start, len(word.Term), class))
}

const (
	classDigit = 1 + iota
	classArabicLetter
)

func runeClass(r rune) int {
	switch {
	case unicode.IsDigit(r):
		return classDigit
	case unicode.IsLetter(r) && unicode.Is(unicode.Arabic, r):
		return classArabicLetter
	}
	return 0
}

// subToken returns the bytes [from, to) of word as a token of its own.
func subToken(word *analysis.Token, from, to, class int) *analysis.Token {
	typ := word.Type
	if class == classDigit {
		typ = analysis.Numeric
	}
	return &analysis.Token{
		Term:  word.Term[from:to],
		Start: word.Start + from,
		End:   word.Start + to,
		Type:  typ,
	}
}

// foldFilter applies Fold to each token and drops tokens left empty (a
// word made only of tatweel, say).
type foldFilter struct{}

func newFoldFilter(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
	return foldFilter{}, nil
}

// Filter implements analysis.TokenFilter.
func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0]
	for _, tok := range input {
		folded := Fold(string(tok.Term))
		if folded == "" {
			continue
		}
		tok.Term = []byte(folded)
		out = append(out, tok)
	}
	return out
}

// stemFilter is the light Arabic stemmer of bleve and Lucene (an article
// or conjunction cut from the front, pronoun and plural endings from the
// back) with one change: an ending is cut only when three letters remain.
// Their rule of two turned short names into function words: the name
// "منى" became "من" ("from"), which is on nearly every page, so a search
// for the name found the whole archive; so did "هدى" and "في", "عن" with
// a pronoun. Arabic roots have three letters; a two-letter stem is nearly
// always such a word.
type stemFilter struct{}

func newStemFilter(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
	return stemFilter{}, nil
}

// Filter implements analysis.TokenFilter.
func (stemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		tok.Term = []byte(stem(string(tok.Term)))
	}
	return input
}

// The clitics and endings the stemmer cuts, in the order it tries them.
// Only one prefix is cut; every ending that still fits is, in this order.
var (
	stemPrefixes = []string{"ال", "وال", "بال", "كال", "فال", "لل", "و"}
	stemSuffixes = []string{"ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"}
)

// Letters a word keeps: after an article two (Lucene's rule, so "الدم"
// is still "دم"); after an ending three.
const (
	minAfterPrefix = 2
	minAfterSuffix = 3
)

// stem returns the stem of a folded, normalised word.
func stem(w string) string {
	r := []rune(w)
	for _, p := range stemPrefixes {
		pr := []rune(p)
		// A lone و is cut only from words of four letters or more, as
		// Lucene does: "ورد" (a rose) is a word, not "and" + "رد".
		if len(pr) == 1 && len(r) < 4 {
			continue
		}
		if len(r)-len(pr) >= minAfterPrefix && string(r[:len(pr)]) == p {
			r = r[len(pr):]
			break
		}
	}

	for _, s := range stemSuffixes {
		sr := []rune(s)
		if len(r)-len(sr) >= minAfterSuffix && string(r[len(r)-len(sr):]) == s {
			r = r[:len(r)-len(sr)]
		}
	}
	return string(r)
}

// Field names in the index.
const (
	fieldText       = "text"
	fieldTextPairs  = "text_pairs" // the text's pairs of adjacent words
	fieldTextExact  = "text_exact" // the text folded but not stemmed
	fieldTitle      = "title"
	fieldRecordID   = "record_id"
	fieldPage       = "page"
	fieldFilename   = "filename"
	fieldRecordType = "record_type"
	fieldReference  = "reference"

	fieldNames         = "names"
	fieldParcel        = "parcel"
	fieldPlot          = "plot"
	fieldNeighbourhood = "neighbourhood"
	fieldStreet        = "street"
	fieldYear          = "year"
	fieldDecade        = "decade" // the year's decade as a keyword, for the facet
)

// newMapping describes a page document: analysed Arabic text and title,
// stored for highlighting; identifiers as exact keywords; the reference
// folded but not split, so "٤٥١٧/ب" and "4517/ب" are the same reference.
func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	err := im.AddCustomAnalyzer(textAnalyzerName, map[string]any{
		"type":      custom.Name,
		"tokenizer": wordsTokenizerName,
		"token_filters": []any{
			lowercase.Name, foldFilterName, ar.NormalizeName, stemFilterName,
		},
	})
	if err == nil {
		// Names are folded but not stemmed: the stemmer would cut "الخطيب"
		// to "خطيب", and fuzzy matching must compare whole folded names.
		err = im.AddCustomAnalyzer(nameAnalyzerName, map[string]any{
			"type":          custom.Name,
			"tokenizer":     wordsTokenizerName,
			"token_filters": []any{lowercase.Name, foldFilterName, ar.NormalizeName},
		})
	}
	if err == nil {
		err = addPairsAnalyzer(im)
	}
	if err == nil {
		err = im.AddCustomAnalyzer(refAnalyzerName, map[string]any{
			"type":          custom.Name,
			"tokenizer":     single.Name,
			"token_filters": []any{foldFilterName},
		})
	}
	if err != nil {
		return nil, fmt.Errorf("index: analyzers: %w", err)
	}

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, storedField(textAnalyzerName), pairsField(),
		exactField())
	doc.AddFieldMappingsAt(fieldTitle, storedField(textAnalyzerName))
	for _, name := range []string{fieldRecordID, fieldFilename} {
		doc.AddFieldMappingsAt(name, storedField(keyword.Name))
	}
	types := storedField(keyword.Name)
	types.DocValues = true // the record type facet counts them
	doc.AddFieldMappingsAt(fieldRecordType, types)
	for _, name := range []string{fieldReference, fieldParcel, fieldPlot} {
		doc.AddFieldMappingsAt(name, storedField(refAnalyzerName))
	}
	for _, name := range []string{fieldNames, fieldNeighbourhood, fieldStreet} {
		// Positions, so that a phrase finds a whole name or street: these
		// fields are a few words a record, so their vectors cost little.
		f := storedField(nameAnalyzerName)
		f.IncludeTermVectors = true
		doc.AddFieldMappingsAt(name, f)
	}
	page := bleve.NewNumericFieldMapping()
	page.DocValues = false // read from the stored page, never counted or sorted
	doc.AddFieldMappingsAt(fieldPage, page)
	doc.AddFieldMappingsAt(fieldYear, yearField())
	doc.AddFieldMappingsAt(fieldDecade, decadeField())

	im.DefaultMapping = doc
	im.DefaultAnalyzer = textAnalyzerName
	im.IndexDynamic, im.StoreDynamic = false, false
	return im, nil
}

// addPairsAnalyzer adds the analyzer of the text_pairs field: the text
// analyzer's terms, each joined to the next. A two-word phrase is then one
// term to look up instead of two long posting lists whose positions must
// be compared page by page: over 100,000 pages "رخصة بناء" took 600 ms
// that way.
func addPairsAnalyzer(im *mapping.IndexMappingImpl) error {
	err := im.AddCustomTokenFilter(pairsFilterName, map[string]any{
		"type": shingle.Name, "min": 2.0, "max": 2.0, "output_original": false,
		"separator": " ",
	})
	if err != nil {
		return err
	}
	return im.AddCustomAnalyzer(pairsAnalyzerName, map[string]any{
		"type":      custom.Name,
		"tokenizer": wordsTokenizerName,
		"token_filters": []any{
			lowercase.Name, foldFilterName, ar.NormalizeName, stemFilterName, pairsFilterName,
		},
	})
}

// pairsField indexes the text a second time, as text_pairs.
func pairsField() *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Name = fieldTextPairs
	f.Analyzer = pairsAnalyzerName
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

// exactField indexes the text a third time, as text_exact: folded like
// names but not stemmed. Prefix and wildcard patterns need the whole
// word, since bleve cannot stem a pattern ("مدرس?" must find "مدرسة",
// whose stem is "مدرس").
func exactField() *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Name = fieldTextExact
	f.Analyzer = nameAnalyzerName
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

// yearField indexes the year as a number, for year ranges. It keeps no
// doc values: the decade facet counts fieldDecade instead (decadeField).
func yearField() *mapping.FieldMapping {
	f := bleve.NewNumericFieldMapping()
	f.DocValues = false
	return f
}

// decadeField indexes the decade of the year as one keyword, such as
// "1990..1999", whose doc values the decade facet counts. Counting the
// numeric year itself made bleve read and decompress its doc values, 16
// prefix-coded terms a page, for every match; over 100,000 pages that was
// the largest part of a year range with facets.
func decadeField() *mapping.FieldMapping {
	f := bleve.NewKeywordFieldMapping()
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	return f
}

// storedField is a field kept for display. It keeps no term vectors:
// Sijil marks snippets itself (see wordMatcher) and finds phrases in the
// text by their pairs of words, so only the names and places, where a
// phrase is matched by positions, need them. Nor doc values, which only
// facets and sorting read: a facet field asks for them itself.
func storedField(analyzer string) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = true
	f.IncludeTermVectors = false
	f.IncludeInAll = false
	f.DocValues = false
	return f
}
