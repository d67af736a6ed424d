package index

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	htmlhighlight "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
)

// CountCap is how many matching pages a search counts and ranks in full.
// Ranking costs time for every match, so a query that matches more pages
// than this (a common word over a million pages) is answered from the
// first CountCap pages found, with a total that is a lower bound: see
// Result.
const CountCap = 2000

// Request is a clerk's search. Query is in the clerk's query language:
//
//	words            every word must be on the page (or in its title or names)
//	"a phrase"       the words in this order
//	field:value      owner:, name:, parcel:, plot:, neighbourhood:, street:,
//	                 type:, ref:, year:1998 or year:1995..1999
//
// Words of five letters or more also match with one letter wrong, of eight
// or more with two, ranked below exact matches. Nothing else is syntax.
type Request struct {
	Query  string
	Limit  int  // 1..MaxLimit
	Facets bool // count matches by record type and decade
}

// Result is the answer to a Request.
type Result struct {
	Hits []Hit

	// Total is how many pages match. When Broad is set more pages match
	// than CountCap; Total is then CountCap, the hits are the best of the
	// first CountCap exact matches found rather than of all, and Facets
	// is nil: the clerk should add a word or a filter.
	Total uint64
	Broad bool

	// Facets is set when the Request asked for it and the result is not
	// Broad.
	Facets *Facets
}

// Facets counts the matching pages by field value, most frequent first.
type Facets struct {
	RecordType []FacetCount
	Decade     []FacetCount // values such as "1990..1999", usable in year:
}

// FacetCount is one value of a facet and how many pages have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Query runs a Request. A query that is empty, longer than MaxQueryChars,
// has more than 32 words, phrases and filters, an unknown field, a field
// value over 100 characters or a bad year, or a Limit outside
// 1..MaxLimit, is a sijil.Invalid error whose message tells the clerk
// what to change.
func (ix *Index) Query(ctx context.Context, r Request) (Result, error) {
	raw, err := checkQuery(r.Query, r.Limit)
	if err != nil {
		return Result{}, err
	}
	cq, err := parseQuery(raw)
	if err != nil {
		return Result{}, err
	}
	exact, err := buildQuery(cq, raw, false)
	if err != nil {
		return Result{}, err
	}
	q, broad, err := ix.choose(ctx, cq, raw, exact)
	if err != nil {
		return Result{}, err
	}

	req := bleve.NewSearchRequestOptions(q, r.Limit, 0, false)
	if !broad && r.Facets {
		addFacets(req)
	}
	return ix.run(ctx, req, broad)
}

// choose picks the query to run and says whether it is broad. Fuzzy
// matching is added only when the exact matches are few enough to rank,
// so a broad result holds exact matches only; and only when it keeps the
// result rankable, since a word one letter from a common word would pull
// in every page that has that word. A broad query is narrowed to the
// first CountCap pages it matches, so that ranking costs no more than
// for a narrow one.
func (ix *Index) choose(ctx context.Context, cq clerkQuery, raw string,
	exact query.Query) (q query.Query, broad bool, err error) {
	found, err := ix.firstMatches(ctx, exact)
	if err != nil {
		return nil, false, err
	}
	if len(found) > CountCap {
		return bleve.NewConjunctionQuery(bleve.NewDocIDQuery(found[:CountCap]), exact), true, nil
	}
	if !cq.fuzzy() {
		return exact, false, nil
	}

	fuzzy, err := buildQuery(cq, raw, true)
	if err != nil {
		return nil, false, err
	}
	near, err := ix.firstMatches(ctx, fuzzy)
	switch {
	case err != nil:
		return nil, false, err
	case len(near) <= CountCap:
		return fuzzy, false, nil
	case len(found) > 0:
		return exact, false, nil
	}
	return bleve.NewConjunctionQuery(bleve.NewDocIDQuery(near[:CountCap]), fuzzy), true, nil
}

// firstMatches returns the ids of the first CountCap+1 pages q matches,
// or of all when fewer match. Unscored and without facets, bleve stops
// looking there, so it costs at most that many postings however common
// the words are.
func (ix *Index) firstMatches(ctx context.Context, q query.Query) ([]string, error) {
	probe := bleve.NewSearchRequestOptions(q, CountCap+1, 0, false)
	probe.Score = bleve.ScoreNone

	res, err := ix.bleve.SearchInContext(ctx, probe)
	if err != nil {
		return nil, fmt.Errorf("index: count matches: %w", err)
	}
	ids := make([]string, len(res.Hits))
	for i, m := range res.Hits {
		ids[i] = m.ID
	}
	return ids, nil
}

// run executes req and turns bleve's answer into a Result.
func (ix *Index) run(ctx context.Context, req *bleve.SearchRequest, broad bool) (Result, error) {
	req.Fields = []string{fieldRecordID, fieldPage}
	req.Highlight = bleve.NewHighlightWithStyle(htmlhighlight.Name)
	req.Highlight.AddField(fieldText)

	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("index: search: %w", err)
	}

	out := Result{Total: res.Total, Broad: broad, Hits: make([]Hit, 0, len(res.Hits))}
	if broad {
		out.Total = CountCap
	}
	for _, m := range res.Hits {
		out.Hits = append(out.Hits, toHit(m.Score, m.Fields, m.Fragments[fieldText]))
	}
	if len(req.Facets) > 0 {
		out.Facets = toFacets(res.Facets)
	}
	return out, nil
}

// Boosts that order the hits: a reference typed whole beats everything,
// a name beats the same word in the OCR text, and a fuzzy match counts
// far less than an exact one, so exact matches come first.
const (
	boostReference = 10
	boostName      = 2
	boostFuzzy     = 0.1
)

// buildQuery turns a parsed query into bleve's, with fuzzy matching for
// long words and names or without. Every part is required.
// Match and phrase queries run their text through the field's analyzer,
// so they get the same folding as the pages; term and fuzzy queries do
// not, so their text is folded here.
func buildQuery(cq clerkQuery, raw string, fuzzy bool) (query.Query, error) {
	var parts []query.Query
	for _, w := range cq.words {
		parts = append(parts, wordQuery(w, fuzzy))
	}
	for _, p := range cq.phrases {
		parts = append(parts, phraseQuery(p))
	}
	for _, f := range cq.filters {
		parts = append(parts, filterQuery(f, fuzzy))
	}
	if len(parts) == 0 {
		return nil, errEmptyQuery()
	}

	all := bleve.NewConjunctionQuery(parts...)
	if len(cq.phrases) > 0 || len(cq.filters) > 0 {
		return all, nil
	}
	// Plain words may also be a reference number, typed whole.
	ref := bleve.NewTermQuery(Fold(raw))
	ref.SetField(fieldReference)
	ref.SetBoost(boostReference)
	return bleve.NewDisjunctionQuery(all, ref), nil
}

// wordQuery finds one word in the text, title, names, neighbourhood or street,
// exactly or, for long words and when fuzzy, with a letter or two wrong.
func wordQuery(w string, fuzzy bool) query.Query {
	exact := bleve.NewDisjunctionQuery(
		match(w, fieldText, 0, 1), match(w, fieldTitle, 0, 1),
		match(w, fieldNames, 0, boostName), match(w, fieldNeighbourhood, 0, 1),
		match(w, fieldStreet, 0, 1))

	n := fuzziness(w)
	if n == 0 || !fuzzy {
		return exact
	}
	near := bleve.NewDisjunctionQuery(
		match(w, fieldText, n, boostFuzzy), match(w, fieldNames, n, boostFuzzy*boostName))
	return bleve.NewDisjunctionQuery(exact, near)
}

// fuzzy reports whether any part of cq is long enough to match fuzzily.
func (cq clerkQuery) fuzzy() bool {
	for _, w := range cq.words {
		if fuzziness(w) > 0 {
			return true
		}
	}
	for _, f := range cq.filters {
		if isNameField(f.field) && fuzziness(f.value) > 0 {
			return true
		}
	}
	return false
}

// isNameField reports the fields of names and places, which are folded
// but not stemmed and matched fuzzily when long.
func isNameField(field string) bool {
	return field == fieldNames || field == fieldNeighbourhood || field == fieldStreet
}

// fuzziness is the edit distance allowed for w: OCR and typists get a
// long word wrong by a letter or two, but one letter changes a short word
// into another word.
func fuzziness(w string) int {
	letters := 0
	for _, r := range Fold(w) {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	switch {
	case letters >= 8:
		return 2
	case letters >= 5:
		return 1
	}
	return 0
}

// match is a match query needing all of text's words in field. bleve
// builds fuzzy queries from the analysed tokens, which the analyzer has
// already folded, so fuzzy matching compares folded forms.
func match(text, field string, fuzz int, boost float64) query.Query {
	m := bleve.NewMatchQuery(text)
	m.SetField(field)
	m.SetOperator(query.MatchQueryOperatorAnd)
	m.SetFuzziness(fuzz)
	m.SetBoost(boost)
	return m
}

// phraseQuery finds the words of p in order in the text. The pairs of
// adjacent words find the pages, each pair one term; a phrase of three
// or more words thus matches a page that has all its pairs, which is
// nearly always the phrase itself. The words themselves, required on the
// text field too, give the snippet its marks.
func phraseQuery(p string) query.Query {
	words := match(p, fieldText, 0, 1)
	if len(strings.Fields(p)) < 2 {
		return words
	}

	// text_pairs is no property of a page, so bleve cannot find its
	// analyzer by the field name.
	pairs := bleve.NewMatchQuery(p)
	pairs.SetField(fieldTextPairs)
	pairs.Analyzer = pairsAnalyzerName
	pairs.SetOperator(query.MatchQueryOperatorAnd)
	return bleve.NewConjunctionQuery(pairs, words)
}

// filterQuery restricts the search to pages whose field has the value.
func filterQuery(f filter, fuzzy bool) query.Query {
	switch f.field {
	case fieldYear:
		from, to, yes := float64(f.from), float64(f.to), true
		q := bleve.NewNumericRangeInclusiveQuery(&from, &to, &yes, &yes)
		q.SetField(fieldYear)
		return q
	case fieldNames, fieldNeighbourhood, fieldStreet:
		exact := match(f.value, f.field, 0, 1)
		if n := fuzziness(f.value); n > 0 && fuzzy {
			return bleve.NewDisjunctionQuery(exact, match(f.value, f.field, n, boostFuzzy))
		}
		return exact
	case fieldRecordType:
		// Record types are keywords such as building_permit, kept as typed.
		q := bleve.NewTermQuery(f.value)
		q.SetField(f.field)
		return q
	}
	q := bleve.NewTermQuery(Fold(f.value))
	q.SetField(f.field)
	return q
}

// Decades the year facet counts; a year outside them is not counted.
const (
	firstDecade = 1900
	lastDecade  = 2030
	maxTypes    = 20 // record types the facet lists
)

// addFacets asks bleve to count the matches by record type and decade.
func addFacets(req *bleve.SearchRequest) {
	req.AddFacet(fieldRecordType, bleve.NewFacetRequest(fieldRecordType, maxTypes))

	decades := bleve.NewFacetRequest(fieldYear, (lastDecade-firstDecade)/10+1)
	for d := firstDecade; d <= lastDecade; d += 10 {
		lo, hi := float64(d), float64(d+10)
		decades.AddNumericRange(decadeName(d), &lo, &hi)
	}
	req.AddFacet(fieldYear, decades)
}

func decadeName(d int) string {
	return strconv.Itoa(d) + ".." + strconv.Itoa(d+9)
}

// toFacets keeps the non-zero counts of bleve's facet results.
func toFacets(res search.FacetResults) *Facets {
	f := &Facets{}
	if types := res[fieldRecordType]; types != nil {
		for _, t := range types.Terms.Terms() {
			f.RecordType = append(f.RecordType, FacetCount{Value: t.Term, Count: t.Count})
		}
	}
	if years := res[fieldYear]; years != nil {
		for _, r := range years.NumericRanges {
			if r.Count > 0 {
				f.Decade = append(f.Decade, FacetCount{Value: r.Name, Count: r.Count})
			}
		}
	}
	return f
}
