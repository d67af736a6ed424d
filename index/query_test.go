package index_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/index"
)

// queryArchive is a small archive with structured fields, for the query
// language tests.
var queryArchive = []index.Page{
	{RecordID: "permit-1998", Number: 1, Text: "رخصة بناء في حي الميدان للسيد أحمد",
		RecordType: "building_permit", Names: []string{"أحمد الخطيب"}, Parcel: "١٢٣٤",
		Plot: "7", Neighbourhood: "الميدان", Street: "شارع عمر المختار", Year: 1998,
		Reference: "4517/ب"},
	{RecordID: "permit-2003", Number: 1, Text: "بناء رخصة مخالفة في الشعار",
		RecordType: "building_permit", Names: []string{"محمد الحلبي"}, Parcel: "99",
		Neighbourhood: "الشعار", Year: 2003},
	{RecordID: "deed-1995", Number: 1, Text: "عقد بيع عقار في حي الميدان",
		RecordType: "deed", Names: []string{"سليمان الخطيب"}, Parcel: "1234", Year: 1995,
		Street: "Omar Al-Mukhtar Street"},
	{RecordID: "craft-1962", Number: 1, Text: "رخصة حرفة نجار في السوق",
		RecordType: "craft_licence", Names: []string{"نزار القباني"}, Year: 1962},
	{RecordID: "undated", Number: 1, Text: "محضر لجنة بدون تاريخ", RecordType: "other"},
}

func openQueryArchive(t *testing.T) *index.Index {
	t.Helper()
	ix := openIndex(t)
	if err := ix.AddAll(context.Background(), queryArchive); err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestQueryLanguage(t *testing.T) {
	tests := []struct {
		name, query string
		want        []string // record ids, in any order
	}{
		{"words all required", "رخصة الميدان", []string{"permit-1998"}},
		{"phrase in order", `"رخصة بناء"`, []string{"permit-1998"}},
		{"phrase other order", `"بناء رخصة"`, []string{"permit-2003"}},
		{"phrase and word", `"رخصة بناء" أحمد`, []string{"permit-1998"}},
		{"owner filter", "owner:الخطيب", []string{"permit-1998", "deed-1995"}},
		{"name filter folds hamza", "name:احمد", []string{"permit-1998"}},
		{"parcel in other digits", "parcel:1234", []string{"permit-1998", "deed-1995"}},
		{"plot", "plot:٧", []string{"permit-1998"}},
		{"parcel typed alone", "١٢٣٤", []string{"permit-1998", "deed-1995"}},
		{"plot typed alone", "7", []string{"permit-1998"}},
		{"number on no page nor field", "4321", nil},
		{"street as a phrase", `"شارع عمر المختار"`, []string{"permit-1998"}},
		{"owner's whole name as a phrase", `"سليمان الخطيب"`, []string{"deed-1995"}},
		{"neighbourhood", "neighbourhood:الشعار", []string{"permit-2003"}},
		{"street", "street:المختار", []string{"permit-1998"}},
		{"owner's whole name quoted, hamza folded", `owner:"احمد الخطيب"`,
			[]string{"permit-1998"}},
		{"quoted owner in the wrong order", `owner:"الخطيب أحمد"`, nil},
		{"street quoted", `street:"شارع عمر المختار"`, []string{"permit-1998"}},
		{"neighbourhood quoted, one word", `neighbourhood:"الشعار"`, []string{"permit-2003"}},
		{"quoted filter and a word", `عقد owner:"سليمان الخطيب"`, []string{"deed-1995"}},
		{"a space after the filter's colon", "owner: الحلبي", []string{"permit-2003"}},
		{"a filter's quote without its partner", `owner:"الحلبي`, []string{"permit-2003"}},
		{"quoted filter, then a phrase", `owner:"أحمد الخطيب" "رخصة بناء"`,
			[]string{"permit-1998"}},
		{"street folds alef wasla", "street:ٱلمختار", []string{"permit-1998"}},
		{"street in english", "street:MUKHTAR", []string{"deed-1995"}},
		{"street word without filter", "mukhtar", []string{"deed-1995"}},
		{"type", "type:deed", []string{"deed-1995"}},
		{"type and word", "type:building_permit مخالفة", []string{"permit-2003"}},
		{"ref", "ref:٤٥١٧/ب", []string{"permit-1998"}},
		{"one year", "year:1998", []string{"permit-1998"}},
		{"year range", "year:1995..1999", []string{"permit-1998", "deed-1995"}},
		{"year range in arabic digits", "year:١٩٦٠..١٩٦٩", []string{"craft-1962"}},
		{"year range and word", "year:1990..2010 رخصة", []string{"permit-1998", "permit-2003"}},
		{"type and year, nothing else", "type:building_permit year:1995..1999",
			[]string{"permit-1998"}},
		{"parcel, type and year", "parcel:1234 type:deed year:1990..2000",
			[]string{"deed-1995"}},
		{"type and year keep out a parcel's other pages", "parcel:1234 type:deed year:1996..2000",
			nil},
		{"word, type and year", "رخصة type:building_permit year:2000..2010",
			[]string{"permit-2003"}},
		{"type pattern and word", "type:craft* رخصة", []string{"craft-1962"}},
		{"filter name in capitals", "TYPE:deed", []string{"deed-1995"}},
		{"colon in a number is a word", "4517:ب", nil},
		{"unbalanced quote is words", `"رخصة حرفة`, []string{"craft-1962"}},
		{"control characters are spaces", "رخصة\x00\tالميدان", []string{"permit-1998"}},
	}
	ix := openQueryArchive(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustFindRecords(t, ix, tt.query, tt.want) })
	}
}

func TestFuzzyName(t *testing.T) {
	tests := []struct {
		name, query, wantTop string
	}{
		{"one letter wrong in a 6-letter name", "الحلني", "permit-2003"},
		{"one letter wrong in an owner filter", "owner:الحلني", "permit-2003"},
		{"two letters wrong in an 8-letter word", "سلمیمانن", "deed-1995"},
	}
	ix := openQueryArchive(t)
	mustAdd(t, ix, index.Page{RecordID: "near-miss", Number: 1, Text: "السيد الخطيت"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, _ := mustSearch(t, ix, tt.query, 10)

			if len(hits) == 0 || hits[0].RecordID != tt.wantTop {
				t.Errorf("Search(%q) = %v, want %s first", tt.query, ids(hits), tt.wantTop)
			}
		})
	}
}

func TestExactAboveFuzzy(t *testing.T) {
	ix := openQueryArchive(t)
	mustAdd(t, ix, index.Page{RecordID: "near-miss", Number: 1, Text: "السيد الخطيت",
		Names: []string{"الخطيت"}})

	hits, _ := mustSearch(t, ix, "الخطيب", 10)

	got := recordIDs(hits)
	if len(got) != 3 || got[2] != "near-miss" || !slices.Contains(got, "permit-1998") {
		t.Errorf("Search(الخطيب) = %v, want the two exact matches, then near-miss", got)
	}
}

func TestFuzzyMisses(t *testing.T) {
	tests := []struct{ name, query, notTop string }{
		{"a different name", "القباني", "permit-2003"},
		{"short words stay exact", "عقد", "permit-1998"},
	}
	ix := openQueryArchive(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, _ := mustSearch(t, ix, tt.query, 10)

			if len(hits) > 0 && hits[0].RecordID == tt.notTop {
				t.Errorf("Search(%q) = %v, want %s not first", tt.query, ids(hits), tt.notTop)
			}
		})
	}
	if hits, _ := mustSearch(t, ix, "عقل", 10); len(hits) != 0 {
		t.Errorf("a 3-letter word matched fuzzily: %v", ids(hits))
	}
}

// TestFacets counts matches by record type and decade, on an index of
// today's mapping and on one built before decades were indexed as
// keywords, which must show the same counts until it is rebuilt.
func TestFacets(t *testing.T) {
	archives := []struct {
		name string
		open func(*testing.T) *index.Index
	}{{"current", openQueryArchive}, {"before decades", openOldQueryArchive}}
	for _, a := range archives {
		t.Run(a.name, func(t *testing.T) {
			ix := a.open(t)

			res, err := ix.Query(context.Background(),
				index.Request{Query: "year:1950..2020", Limit: 10, Facets: true})
			if err != nil {
				t.Fatal(err)
			}

			wantTypes := []index.FacetCount{
				{Value: "building_permit", Count: 2}, {Value: "craft_licence", Count: 1},
				{Value: "deed", Count: 1},
			}
			wantDecades := []index.FacetCount{
				{Value: "1960..1969", Count: 1}, {Value: "1990..1999", Count: 2},
				{Value: "2000..2009", Count: 1},
			}
			if res.Facets == nil || res.Facets.Approximate || res.Total != 4 || res.Broad {
				t.Fatalf("Total %d Broad %v Facets %v, want 4 pages with facets",
					res.Total, res.Broad, res.Facets)
			}
			if got := sortCounts(res.Facets.RecordType); !slices.Equal(got, wantTypes) {
				t.Errorf("RecordType = %v, want %v", got, wantTypes)
			}
			if got := sortCounts(res.Facets.Decade); !slices.Equal(got, wantDecades) {
				t.Errorf("Decade = %v, want %v", got, wantDecades)
			}
		})
	}
}

func sortCounts(c []index.FacetCount) []index.FacetCount {
	return slices.SortedFunc(slices.Values(c), func(a, b index.FacetCount) int {
		return strings.Compare(a.Value, b.Value)
	})
}

// openOldQueryArchive is queryArchive in an index made with the mapping
// of before the decade keyword: the year a number with doc values.
func openOldQueryArchive(t *testing.T) *index.Index {
	t.Helper()
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("year", bleve.NewNumericFieldMapping())
	doc.AddFieldMappingsAt("record_type", bleve.NewKeywordFieldMapping())
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	dir := filepath.Join(t.TempDir(), "old")
	old, err := bleve.New(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	ix := openIndexAt(t, dir)
	if err := ix.AddAll(context.Background(), queryArchive); err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestNoFacetsUnlessAsked(t *testing.T) {
	ix := openQueryArchive(t)

	res, err := ix.Query(context.Background(), index.Request{Query: "رخصة", Limit: 10})

	if err != nil || res.Facets != nil {
		t.Errorf("Facets = %v, err %v; want none", res.Facets, err)
	}
}

func TestHostileClerkQueries(t *testing.T) {
	tests := []struct {
		name, query, wantKey string
	}{
		{"unknown field", "colour:red", "search.unknown_field"},
		{"unknown record type", "type:رخصة", "search.unknown_type"},
		{"record type in other words", `type:"building permit"`, "search.unknown_type"},
		{"bleve field", "text:رخصة", "search.unknown_field"},
		{"huge field value", "owner:" + strings.Repeat("م", 101), "search.field_too_long"},
		{"year not a number", "year:nineteen", "search.bad_year"},
		{"year range reversed", "year:1999..1995", "search.bad_year"},
		{"year range open", "year:1995..", "search.bad_year"},
		{"absurd year", "year:99999999999999999999", "search.bad_year"},
		{"too many words", strings.Repeat("ب ", 33), "search.too_many_parts"},
		{"only quotes", `"" ""`, "search.empty_query"},
		{"only control characters", "\x00\x01\x7f", "search.empty_query"},
	}
	ix := openQueryArchive(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ix.Query(context.Background(), index.Request{Query: tt.query, Limit: 10})

			var e *sijil.Error
			if !errors.As(err, &e) || e.Kind != sijil.Invalid || e.Key != tt.wantKey {
				t.Errorf("Query(%q) error = %v, want Invalid %q", tt.query, err, tt.wantKey)
			}
		})
	}
}

// mustFindRecords fails unless query finds the pages of exactly the
// records want, in any order, among its first ten hits.
func mustFindRecords(t *testing.T, ix *index.Index, query string, want []string) {
	t.Helper()
	res, err := ix.Query(context.Background(), index.Request{Query: query, Limit: 10})
	if err != nil {
		t.Fatalf("Query(%q): %v", query, err)
	}

	got := recordIDs(res.Hits)
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("Query(%q) = %v, want %v", query, got, want)
	}
}

func recordIDs(hits []index.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.RecordID
	}
	return out
}

// TestWideFiltersDoNotRank: a record type or a span of years narrows what
// a clerk finds but leaves the order the words give it.
func TestWideFiltersDoNotRank(t *testing.T) {
	ix := openIndex(t)
	var pages []index.Page
	filtered := map[string]bool{} // deeds of 1960..2020
	for i := range 12 {
		p := index.Page{
			RecordID:   fmt.Sprintf("p%02d", i),
			Number:     1,
			Text:       strings.Repeat("مخالفة ", 1+i%4) + strings.Repeat("في البناء ", i%3),
			RecordType: []string{"deed", "building_permit"}[i%2],
			Year:       1950 + 7*i,
		}
		pages = append(pages, p)
		filtered[p.RecordID] = p.RecordType == "deed" && p.Year >= 1960 && p.Year <= 2020
	}
	if err := ix.AddAll(context.Background(), pages); err != nil {
		t.Fatal(err)
	}
	ranked := func(q string) []string {
		res, err := ix.Query(context.Background(), index.Request{Query: q, Limit: 20})
		if err != nil {
			t.Fatalf("Query(%q): %v", q, err)
		}
		return recordIDs(res.Hits)
	}

	all := ranked("مخالفة")
	if len(all) != len(pages) {
		t.Fatalf("the word alone found %v, want all %d pages", all, len(pages))
	}
	want := slices.DeleteFunc(slices.Clone(all), func(id string) bool { return !filtered[id] })
	if got := ranked("مخالفة type:deed year:1960..2020"); !slices.Equal(got, want) {
		t.Errorf("with a type and years: %v, want the word's order %v", got, want)
	}
}

// TestBroadQuery pins what a query matching more than CountCap pages
// gives: a lower-bound total, facets marked approximate that count the
// first CountCap matches, and exact matches only, since unscored fuzzy
// matches could not be ranked below them.
func TestBroadQuery(t *testing.T) {
	ix := openIndex(t)
	pages := []index.Page{{RecordID: "near-miss", Number: 1, Text: "السيد الخطيت"}}
	for i := range index.CountCap + 1 {
		pages = append(pages, index.Page{RecordID: "r", Number: i + 1, Text: "السيد الخطيب",
			RecordType: "deed"})
	}
	if err := ix.AddAll(context.Background(), pages); err != nil {
		t.Fatal(err)
	}

	// A record type beside the word only narrows, unscored (see
	// wideFilter), and must narrow a broad query the same way.
	for _, q := range []string{"الخطيب", "الخطيب type:deed"} {
		res, err := ix.Query(context.Background(),
			index.Request{Query: q, Limit: index.MaxLimit, Facets: true})
		if err != nil {
			t.Fatal(err)
		}

		if !res.Broad || res.Total != index.CountCap {
			t.Errorf("%s: Broad %v Total %d, want broad, %d", q, res.Broad, res.Total,
				index.CountCap)
		}
		wantTypes := []index.FacetCount{{Value: "deed", Count: index.CountCap}}
		if res.Facets == nil || !res.Facets.Approximate ||
			!slices.Equal(res.Facets.RecordType, wantTypes) {
			t.Errorf("%s: Facets = %+v, want approximate, %v", q, res.Facets, wantTypes)
		}
		if len(res.Hits) != index.MaxLimit || slices.Contains(recordIDs(res.Hits), "near-miss") {
			t.Errorf("%s: got %d hits, near-miss among them: %v, want %d exact ones", q,
				len(res.Hits), slices.Contains(recordIDs(res.Hits), "near-miss"), index.MaxLimit)
		}
	}
}

// TestNearSpellingsAreCounted: the clerk is told how many pages a near
// spelling found, for a misreading corrected should stop being found.
func TestNearSpellingsAreCounted(t *testing.T) {
	ix := openQueryArchive(t)
	for _, tt := range []struct {
		query       string
		total, near uint64
	}{
		{"owner:الحلبي", 1, 0},
		{"owner:الحلني", 1, 1}, // one letter wrong
		{"owner:الحلني type:building_permit", 1, 1},
		{"owner:الحلني type:deed", 0, 0},
	} {
		res, err := ix.Query(context.Background(), index.Request{Query: tt.query, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tt.total || res.Near != tt.near {
			t.Errorf("%s: %d pages, %d near; want %d, %d", tt.query, res.Total, res.Near,
				tt.total, tt.near)
		}
	}
}
