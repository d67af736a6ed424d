package index

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sijil-municipality/sijil"
)

// CountCap is how many matching pages a search counts and ranks in full.
// Ranking costs time for every match, so a query that matches more pages
// than this (a common word over a million pages) is answered from the
// first CountCap pages found, with a total that is a lower bound: see
// Result.
const CountCap = 2000

// Request is a clerk's search. Query is in the clerk's query language:
//
//	words            every word must be on the page (or in its title, names
//	                 or places; a number may be the parcel or plot)
//	"a phrase"       the words in this order
//	بلد*  م?مد        a word with wildcards: * any letters, ? one letter
//	                 (also ٭ and ؟); a * at the end only is a prefix,
//	                 which also finds the word behind an article
//	field:value      owner:, name:, parcel:, plot:, neighbourhood:, street:,
//	                 type:, ref:, year:1998 or year:1995..1999; the value
//	                 may have wildcards (owner:الخط*, ref:4517/*)
//
// Every part is folded as the pages are (see Fold), wildcards included.
// Words of five letters or more also match with one letter wrong, of eight
// or more with two, ranked below exact matches, and looked up only when
// the exact matches do not fill Limit. A word with wildcards
// needs two letters, three when it starts with a wildcard, and at most
// three wildcards; a query at most four such words. Nothing else is
// syntax.
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
	// first CountCap exact matches found rather than of all, and the
	// facets count those only: the clerk should add a word or a filter.
	Total uint64
	Broad bool

	// Near is how many of Total matched only by a near spelling (a letter
	// or two off, as OCR misreads), which rank below every exact match.
	Near uint64

	// Facets is set when the Request asked for it.
	Facets *Facets
}

// Facets counts the matching pages by field value, most frequent first.
type Facets struct {
	RecordType []FacetCount
	Decade     []FacetCount // values such as "1990..1999", usable in year:

	// Approximate is set when the result is Broad: the counts are of the
	// first CountCap matches found, not of all, and a page must show them
	// as such ("about", or as shares). Counting a million matches costs
	// far more than the 50 ms a search may take.
	Approximate bool `json:"approximate"`
}

// FacetCount is one value of a facet and how many pages have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Query runs a Request. A query that is empty, longer than MaxQueryChars,
// has more than 32 words, phrases and filters, an unknown field, a field
// value over 100 characters, a bad year or a wildcard pattern too loose
// (see Request), or a Limit outside 1..MaxLimit, is a sijil.Invalid
// error whose message tells the clerk what to change. Patterns over an
// index built before Sijil indexed text_exact are a sijil.Unavailable
// error until it is rebuilt.
func (ix *Index) Query(ctx context.Context, r Request) (Result, error) {
	raw, err := checkQuery(r.Query, r.Limit)
	if err != nil {
		return Result{}, err
	}
	cq, err := parseQuery(raw)
	if err != nil {
		return Result{}, err
	}
	if cq.countPatterns() > 0 && !ix.exact {
		return Result{}, sijil.Errorf(sijil.Unavailable, "search.reindex_needed",
			"Searching with * or ? needs a newer search index: ask an administrator "+
				"to run sijil reindex.")
	}
	exact, err := buildQuery(cq, raw, false)
	if err != nil {
		return Result{}, err
	}
	q, broad, fuzzy, exactCount, err := ix.choose(ctx, cq, raw, r.Limit, exact)
	if err != nil {
		return Result{}, err
	}

	req := bleve.NewSearchRequestOptions(q, r.Limit, 0, false)
	if r.Facets {
		addFacets(req, ix.decades)
	}
	res, err := ix.run(ctx, req, broad, newWordMatcher(cq, fuzzy))
	if err == nil && fuzzy && !broad && res.Total > uint64(exactCount) {
		res.Near = res.Total - uint64(exactCount)
	}
	return res, err
}

// choose picks the query to run and says whether it is broad. Fuzzy
// matching is added only when the exact matches are few enough to rank,
// so a broad result holds exact matches only; and only when it keeps the
// result rankable, since a word one letter from a common word would pull
// in every page that has that word. A broad query is narrowed to the
// first CountCap pages it matches, so that ranking costs no more than
// for a narrow one. fuzzy says whether the query chosen accepts near
// spellings; exactCount is how many pages match exactly, up to CountCap.
func (ix *Index) choose(ctx context.Context, cq clerkQuery, raw string, limit int,
	exact query.Query) (q query.Query, broad, fuzzy bool, exactCount int, err error) {
	found, err := ix.firstMatches(ctx, exact)
	if err != nil {
		return nil, false, false, 0, err
	}
	exactCount = min(len(found), CountCap)
	if len(found) > CountCap {
		q := bleve.NewConjunctionQuery(bleve.NewDocIDQuery(found[:CountCap]), exact)
		return q, true, false, exactCount, nil
	}
	// Near spellings rank below every exact match, and a Request has no
	// second page: when the exact matches fill the hits, looking up
	// near spellings (two more searches, each walking a fuzzy
	// expansion) could change only Total.
	if !cq.fuzzy() || len(found) >= limit {
		return exact, false, false, exactCount, nil
	}

	near, err := buildQuery(cq, raw, true)
	if err != nil {
		return nil, false, false, 0, err
	}
	nearIDs, err := ix.firstMatches(ctx, near)
	switch {
	case err != nil:
		return nil, false, false, 0, err
	case len(nearIDs) <= CountCap:
		return near, false, true, exactCount, nil
	case len(found) > 0:
		return exact, false, false, exactCount, nil
	}
	q = bleve.NewConjunctionQuery(bleve.NewDocIDQuery(nearIDs[:CountCap]), near)
	return q, true, true, exactCount, nil
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

// run executes req and turns bleve's answer into a Result, with snippets
// marked by m. Sijil marks the snippets itself rather than with bleve's
// highlighter, which sees only the terms of the field it highlights:
// it would leave a prefix or wildcard (matched in text_exact) unmarked.
func (ix *Index) run(ctx context.Context, req *bleve.SearchRequest, broad bool,
	m *wordMatcher) (Result, error) {
	req.Fields = []string{fieldRecordID, fieldPage, fieldText}

	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("index: search: %w", err)
	}

	out := Result{Total: res.Total, Broad: broad, Hits: make([]Hit, 0, len(res.Hits))}
	if broad {
		out.Total = CountCap
	}
	for _, hit := range res.Hits {
		out.Hits = append(out.Hits, toHit(hit.Score, hit.Fields, m))
	}
	if len(req.Facets) > 0 {
		out.Facets = toFacets(res.Facets)
		out.Facets.Approximate = broad
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
	var parts, wide []query.Query
	for _, w := range cq.words {
		parts = append(parts, wordQuery(w, fuzzy))
	}
	for _, p := range cq.patterns {
		parts = append(parts, patternQuery(p))
	}
	for _, p := range cq.phrases {
		parts = append(parts, phraseQuery(p))
	}
	for _, f := range cq.filters {
		if wideFilter(f) {
			wide = append(wide, filterQuery(f, fuzzy))
		} else {
			parts = append(parts, filterQuery(f, fuzzy))
		}
	}
	if len(parts) == 0 {
		// Nothing else to narrow: bleve would walk every page of the
		// archive through an unscored filter.
		parts, wide = wide, nil
	}
	if len(parts) == 0 {
		return nil, errEmptyQuery()
	}

	if len(wide) > 0 {
		q := bleve.NewBooleanQuery()
		q.AddMust(parts...)
		q.AddFilter(bleve.NewConjunctionQuery(wide...))
		return q, nil
	}
	all := bleve.NewConjunctionQuery(parts...)
	if len(cq.phrases) > 0 || len(cq.filters) > 0 || len(cq.patterns) > 0 {
		return all, nil
	}
	// Plain words may also be a reference number, typed whole.
	ref := bleve.NewTermQuery(Fold(raw))
	ref.SetField(fieldReference)
	ref.SetBoost(boostReference)
	return bleve.NewDisjunctionQuery(all, ref), nil
}

// wordQuery finds one word in the text, title, names, neighbourhood or
// street, a number also as the parcel or plot, exactly or, for long words
// and when fuzzy, with a letter or two wrong.
func wordQuery(w string, fuzzy bool) query.Query {
	exact := bleve.NewDisjunctionQuery(
		match(w, fieldText, 0, 1), match(w, fieldTitle, 0, 1),
		match(w, fieldNames, 0, boostName), match(w, fieldNeighbourhood, 0, 1),
		match(w, fieldStreet, 0, 1))
	// A number typed alone is as likely the parcel or plot the archivist
	// recorded, which Tesseract's reading of the page often gets wrong.
	if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
		for _, field := range []string{fieldParcel, fieldPlot} {
			q := bleve.NewTermQuery(Fold(w))
			q.SetField(field)
			q.SetBoost(boostName)
			exact.AddQuery(q)
		}
	}

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

// patternQuery finds a word with wildcards wherever wordQuery would look,
// and, with a digit, in the reference ("4517/*"). The text is matched through its
// unstemmed copy, text_exact, since a pattern cannot be stemmed.
func patternQuery(p pattern) query.Query {
	q := bleve.NewDisjunctionQuery(
		patternOn(p, fieldTextExact, 1), patternOn(p, fieldNames, boostName),
		patternOn(p, fieldNeighbourhood, 1), patternOn(p, fieldStreet, 1))
	// Every page has its own reference, so walking their terms costs as
	// much as the archive is large: only a pattern with a digit, which
	// every reference has, is looked for there.
	if strings.IndexFunc(p.text, unicode.IsDigit) >= 0 {
		q.AddQuery(patternOn(p, fieldReference, 1))
	}
	return q
}

// patternOn looks p up among the terms of field, which must be folded
// (Fold) and not stemmed. In words of text, names and places p may
// follow a clitic (see clitics); identifiers are matched as they are.
func patternOn(p pattern, field string, boost float64) query.Query {
	var q interface {
		query.Query
		SetField(string)
		SetBoost(float64)
	}
	switch {
	case field == fieldTextExact || isNameField(field):
		q = bleve.NewRegexpQuery(p.expr(true))
	case p.prefix:
		q = bleve.NewPrefixQuery(strings.TrimSuffix(p.text, "*"))
	default:
		q = bleve.NewWildcardQuery(p.text)
	}
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// phraseQuery finds the words of p in order in the text, or as a whole
// name, neighbourhood or street: a clerk who quotes "منى الخطيب" means
// that person, whose name is on the record though rarely legible in its
// OCR text. In the text the pairs of adjacent words find the pages, each
// pair one term; a phrase of three or more words thus matches a page
// that has all its pairs, which is nearly always the phrase itself. The
// words themselves, required on the text field too, give the snippet its
// marks. The names and places are a few words a page, matched by
// position.
func phraseQuery(p string) query.Query {
	inText := match(p, fieldText, 0, 1)
	if len(strings.Fields(p)) >= 2 {
		// text_pairs is no property of a page, so bleve cannot find its
		// analyzer by the field name.
		pairs := bleve.NewMatchQuery(p)
		pairs.SetField(fieldTextPairs)
		pairs.Analyzer = pairsAnalyzerName
		pairs.SetOperator(query.MatchQueryOperatorAnd)
		inText = bleve.NewConjunctionQuery(pairs, inText)
	}

	q := bleve.NewDisjunctionQuery(inText)
	for _, field := range []string{fieldNames, fieldNeighbourhood, fieldStreet} {
		boost := 1.0
		if field == fieldNames {
			boost = boostName
		}
		whole := bleve.NewMatchPhraseQuery(p)
		whole.SetField(field)
		whole.SetBoost(boost)
		q.AddQuery(whole)
	}
	return q
}

// wideFilter says whether a filter matches a large share of the archive
// whatever its value: a record type (there are a handful) or a span of
// years. Beside other parts of a query, such a filter only narrows, unscored.
// Scored, it would cost a walk through every page of that type or span
// up to the last match: zap keeps term frequencies chunk by chunk, so a
// scored reader steps through its postings one by one where an unscored
// one jumps, and type:deed beside a parcel, with as many hits shown, cost
// 3.7 times more at a million pages than at 100,000. Their scores said
// nothing of relevance: every page of a type scores the same for it, and
// a page's score for a span of years depends on how the index stores
// numbers.
func wideFilter(f filter) bool {
	return f.field == fieldRecordType || f.field == fieldYear
}

// filterQuery restricts the search to pages whose field has the value.
func filterQuery(f filter, fuzzy bool) query.Query {
	if f.pat != nil {
		return patternOn(*f.pat, f.field, 1)
	}
	switch f.field {
	case fieldYear:
		from, to, yes := float64(f.from), float64(f.to), true
		q := bleve.NewNumericRangeInclusiveQuery(&from, &to, &yes, &yes)
		q.SetField(fieldYear)
		return q
	case fieldNames, fieldNeighbourhood, fieldStreet:
		if f.phrase {
			q := bleve.NewMatchPhraseQuery(f.value)
			q.SetField(f.field)
			return q
		}
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

// Decades the year facet of an index without fieldDecade counts; a year
// outside them is not counted there.
const (
	firstDecade = 1900
	lastDecade  = 2030
	maxTypes    = 20 // record types the facet lists
	maxDecades  = (maxYear-minYear)/10 + 1
)

// addFacets asks bleve to count the matches by record type and decade,
// the decades by their keyword when the index has it.
func addFacets(req *bleve.SearchRequest, decades bool) {
	req.AddFacet(fieldRecordType, bleve.NewFacetRequest(fieldRecordType, maxTypes))
	if decades {
		req.AddFacet(fieldDecade, bleve.NewFacetRequest(fieldDecade, maxDecades))
		return
	}

	years := bleve.NewFacetRequest(fieldYear, (lastDecade-firstDecade)/10+1)
	for d := firstDecade; d <= lastDecade; d += 10 {
		lo, hi := float64(d), float64(d+10)
		years.AddNumericRange(decadeName(d), &lo, &hi)
	}
	req.AddFacet(fieldYear, years)
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
	if decades := res[fieldDecade]; decades != nil {
		for _, t := range decades.Terms.Terms() {
			f.Decade = append(f.Decade, FacetCount{Value: t.Term, Count: t.Count})
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
