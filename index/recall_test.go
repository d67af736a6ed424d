package index_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/internal/indextest"
)

// variantGroup is one word in the spellings a page or a clerk may give
// it. Every spelling must find the page of every other spelling, through
// each query type (#4: recall 100%).
type variantGroup struct {
	name      string
	spellings []string
	text      string   // the page's text; %s is the spelling
	phrase    string   // a phrase of the text around the spelling
	filter    string   // the filter whose field holds the spelling
	value     string   // the page's value of that field
	alsoFound []string // other queries that must find every page
}

// wordGroup is a variant group for an Arabic word in running text and in
// the owner's name.
func wordGroup(name string, spellings ...string) variantGroup {
	return variantGroup{name: name, spellings: spellings, text: "قدم السيد %s الطلب",
		phrase: "السيد %s", filter: "owner", value: "%s الخطيب"}
}

var variantGroups = []variantGroup{
	wordGroup("hamza on alef", "أحمد", "احمد", "إحمد"),
	wordGroup("hamza below", "إبراهيم", "ابراهيم"),
	wordGroup("madda", "آمنة", "امنة", "آمنه"),
	wordGroup("hamza on waw", "مؤمن", "مومن"),
	wordGroup("hamza on yeh", "رئيس", "رييس"),
	wordGroup("taa marbuta and haa", "مدرسة", "مدرسه"),
	wordGroup("alef maqsura and yaa", "مصطفى", "مصطفي"),
	wordGroup("alef maqsura in a three-letter name", "منى", "مني"),
	wordGroup("three-letter name with an ending", "هدى", "هدي"),
	wordGroup("diacritics", "مُحَمَّد", "محمد", "مُحمد"),
	wordGroup("tatweel", "مـــحمد", "محمد", "محـمد"),
	wordGroup("superscript alef", "رحمٰن", "رحمن"),
	wordGroup("farsi yeh and keheh", "کمالی", "كمالي"),
	wordGroup("bidi and joiner controls", "مح\u200fمد", "\u200eمحمد", "مح\u200cمد",
		"مح\u200dمد", "مح\u061cمد", "محمد"),
	wordGroup("presentation forms", "ﻣﺤﻤﺪ", "محمد"),
	wordGroup("lam-alef ligature", "عﻼء", "علاء"),
	{name: "alef wasla", spellings: []string{"ٱلمدينة", "المدينة"},
		text: "حي %s القديمة", phrase: "حي %s", filter: "neighbourhood", value: "%s"},
	{name: "digits", spellings: []string{"4517", "٤٥١٧", "۴۵۱۷"},
		text: "رخصة رقم %s للبناء", phrase: "رقم %s", filter: "parcel", value: "%s"},
	{name: "permit number in an arabic line", spellings: []string{"١٢٣٤/٩٨", "1234/98", "۱۲۳۴/۹۸"},
		text: "رخصة رقم %s للبناء", phrase: "رقم %s", filter: "parcel", value: "%s",
		alsoFound: []string{"1234", "١٢٣٤", "12*/98"}},
	{name: "english street name", spellings: []string{"Mukhtar", "MUKHTAR", "mukhtar"},
		text: "شارع Omar Al-%s Street", phrase: "Al-%s Street", filter: "street",
		value: "Omar Al-%s Street", alsoFound: []string{"Al-Mukh*", "street:mukh*"}},
}

// TestRecall searches each variant group's pages by each spelling,
// through match, phrase, prefix, field filter and prefix filter queries:
// every page of the group must be found, and the page without the word
// must not.
func TestRecall(t *testing.T) {
	for _, g := range variantGroups {
		t.Run(g.name, func(t *testing.T) {
			ix := openIndex(t)
			var want []string
			for i, s := range g.spellings {
				id := fmt.Sprintf("spelling-%d", i)
				mustAdd(t, ix, g.page(id, s))
				want = append(want, id)
			}
			mustAdd(t, ix, index.Page{RecordID: "noise", Number: 1,
				Text: "نص عن الحدائق العامة", Names: []string{"سعاد العلي"}})

			for _, q := range g.queries() {
				t.Run(q, func(t *testing.T) { mustFindRecords(t, ix, q, want) })
			}
		})
	}
}

// page is the group's page written with spelling s.
func (g variantGroup) page(id, s string) index.Page {
	p := index.Page{RecordID: id, Number: 1, Text: fmt.Sprintf(g.text, s)}
	value := fmt.Sprintf(g.value, s)
	switch g.filter {
	case "owner":
		p.Names = []string{value}
	case "neighbourhood":
		p.Neighbourhood = value
	case "street":
		p.Street = value
	case "parcel":
		p.Parcel = value
	}
	return p
}

// queries are the group's queries: each spelling as a word, in a phrase,
// as a prefix and in the filter, plain and as a prefix, and alsoFound.
func (g variantGroup) queries() []string {
	var out []string
	for _, s := range g.spellings {
		out = append(out, s, `"`+fmt.Sprintf(g.phrase, s)+`"`, s+"*",
			g.filter+":"+s, g.filter+":"+s+"*")
	}
	return append(out, g.alsoFound...)
}

// TestShortNamesAreNotFunctionWords pins the precision the recall above
// must not cost: a short name folded and stemmed must not become a
// common word. "منى" had the stem "من" ("from") and found every page.
func TestShortNamesAreNotFunctionWords(t *testing.T) {
	pages := []index.Page{
		{RecordID: "muna-owner", Number: 1, Text: "رخصة بناء للعقار المذكور",
			Names: []string{"منى الخطيب"}},
		{RecordID: "muna-text", Number: 1, Text: "قدمت السيدة منى طلبها"},
		{RecordID: "from", Number: 1, Text: "صادر من البلدية إلى المالك"},
		{RecordID: "from-him", Number: 1, Text: "أخذ منه الرسوم"},
		{RecordID: "in-it", Number: 1, Text: "البيت وما فيه من أثاث"},
		{RecordID: "other-khatib", Number: 1, Text: "طلب من السيد",
			Names: []string{"منير الخطيب"}},
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"the name finds its pages only", "منى", []string{"muna-owner", "muna-text"}},
		{"the name typed with yaa", "مني", []string{"muna-owner", "muna-text"}},
		{"the owner filter", "owner:منى", []string{"muna-owner"}},
		{"the whole name as a phrase", `"منى الخطيب"`, []string{"muna-owner"}},
		{"the whole name in other spellings", `"مُنى الخطيب"`, []string{"muna-owner"}},
		{"a phrase of another name", `"منير الخطيب"`, []string{"other-khatib"}},
		{"a phrase not in that order", `"الخطيب منى"`, nil},
		{"the function word is still found",
			"من", []string{"from", "in-it", "other-khatib"}},
		{"a function word with a pronoun is its own word", "منه", []string{"from-him"}},
		{"another short name", "هدى", nil},
	}
	ix := openIndex(t)
	if err := ix.AddAll(context.Background(), pages); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustFindRecords(t, ix, tt.query, tt.want) })
	}
}

func TestPatterns(t *testing.T) {
	pages := []index.Page{
		{RecordID: "muhammad", Number: 1, Text: "السيد مُحَمَّد الحلبي",
			Names: []string{"مُحَمَّد الحلبي"}},
		{RecordID: "mahmoud", Number: 1, Text: "السيد محمود العلي"},
		{RecordID: "school", Number: 1, Text: "مدرسة البنات في البلدية"},
		{RecordID: "schools", Number: 1, Text: "مدارس المدينة ومدرسه الحي"},
		{RecordID: "countries", Number: 1, Text: "بلدان عديدة"},
		{RecordID: "ref", Number: 1, Text: "قرار", Reference: "٤٥١٧/ب",
			Names: []string{"أحمد الخطيب"}},
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"one letter wildcard", "م?مد", []string{"muhammad"}},
		{"wildcard after folding taa marbuta", "مدرس?", []string{"school", "schools"}},
		{"arabic question mark", "م؟مد", []string{"muhammad"}},
		{"prefix finds the word behind an article", "بلد*", []string{"school", "countries"}},
		{"prefix with the article", "البلد*", []string{"school"}},
		{"prefix with diacritics", "مُحَمَّد*", []string{"muhammad"}},
		{"leading wildcard with three letters", "*حمود", []string{"mahmoud"}},
		{"inner star", "م*د", []string{"muhammad", "mahmoud"}},
		{"arabic star", "مح٭", []string{"muhammad", "mahmoud"}},
		{"owner prefix folds hamza", "owner:احم*", []string{"ref"}},
		{"owner wildcard", "owner:الخ?يب", []string{"ref"}},
		{"reference prefix in other digits", "ref:4517/*", []string{"ref"}},
		{"plain word and a trailing slash star", "4517/*", nil},
		{"pattern and word", "مح* الحلبي", []string{"muhammad"}},
	}
	ix := openIndex(t)
	if err := ix.AddAll(context.Background(), pages); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustFindRecords(t, ix, tt.query, tt.want) })
	}
}

func TestPatternsRefused(t *testing.T) {
	tests := []struct{ name, query, wantKey string }{
		{"star alone", "*", "search.wildcard_too_short"},
		{"one letter and a star", "م*", "search.wildcard_too_short"},
		{"leading star on one letter", "*م", "search.wildcard_too_short"},
		{"leading star on two letters", "*مد", "search.wildcard_too_short"},
		{"only question marks", "؟؟؟", "search.wildcard_too_short"},
		{"too many wildcards", "م?ح?م?د*", "search.too_many_wildcards"},
		{"too many patterns", "اب* تث* جح* خد* ذر*", "search.too_many_wildcards"},
		{"pattern in a filter", "owner:*خ", "search.wildcard_too_short"},
	}
	ix := openIndex(t)
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

// TestPatternsOnOldIndex pins that an index built before text_exact says
// it must be rebuilt for patterns instead of silently finding less.
func TestPatternsOnOldIndex(t *testing.T) {
	ix := indextest.Old(t)

	_, err := ix.Query(context.Background(), index.Request{Query: "بلد*", Limit: 10})

	var e *sijil.Error
	if !errors.As(err, &e) || e.Kind != sijil.Unavailable || e.Key != "search.reindex_needed" {
		t.Errorf("pattern on an old index: error = %v, want Unavailable reindex_needed", err)
	}
	_, err = ix.Query(context.Background(), index.Request{Query: "بلد", Limit: 10})
	if err != nil {
		t.Errorf("plain word on an old index: %v", err)
	}
}

// TestMatchingWords draws hits on a page image: the OCR words the query
// finds, whatever spelling either side uses.
func TestMatchingWords(t *testing.T) {
	words := []string{"رخصة", "بناء", "للسيد", "أح\u200fمد", "الخطيب", "رقم", "٤٥١٧",
		"مُدَرِّسة", "Street", "ﻣﺤﻤﺪ"}
	tests := []struct {
		name, query string
		want        []int
	}{
		{"hamza and a control in the word", "احمد", []int{3}},
		{"taa marbuta and diacritics", "مدرسه", []int{7}},
		{"digits", "4517", []int{6}},
		{"stem", "خطيب", []int{4}},
		{"article and preposition", "السيد", []int{2}},
		{"phrase marks each word", `"رخصه بناء"`, []int{0, 1}},
		{"prefix", "الخط*", []int{4}},
		{"prefix of a word with diacritics", "مدرس*", []int{7}},
		{"prefix behind an article", "خطي*", []int{4}},
		{"wildcard", "م?مد", []int{9}},
		{"owner filter", "owner:إحمد", []int{3}},
		{"english", "street", []int{8}},
		{"one letter wrong in a long word", "الخطيت", []int{4}},
		{"nothing", "مستشفى", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := index.MatchingWords(tt.query, words)
			if err != nil {
				t.Fatalf("MatchingWords(%q): %v", tt.query, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("MatchingWords(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}

	if _, err := index.MatchingWords("*", words); err == nil {
		t.Error("MatchingWords(*) = nil error, want the query refused")
	}
}

// TestSnippetMarks pins that snippets mark the page's own spelling of
// the words found, with offsets a page can use, and that the page's text
// can never inject HTML.
func TestSnippetMarks(t *testing.T) {
	long := strings.Repeat("نص طويل عن أشياء أخرى ", 20)
	tests := []struct {
		name, text, query string
		wantMarked        []string // the snippet's marked text, in order
	}{
		{"hamza typed without", "شهد السيد أحمد بذلك", "احمد", []string{"أحمد"}},
		{"diacritics and taa marbuta", "بناء مُدَرِّسة البنات", "مدرسه", []string{"مُدَرِّسة"}},
		{"prefix", "بناء مُدَرِّسة البنات", "مدرس*", []string{"مُدَرِّسة"}},
		{"wildcard", "السيد مُحَمَّد", "م?مد", []string{"مُحَمَّد"}},
		{"digits", "رخصة رقم ٤٥١٧", "4517", []string{"٤٥١٧"}},
		{"presentation forms", "السيد ﻣﺤﻤﺪ", "محمد", []string{"ﻣﺤﻤﺪ"}},
		{"late in a long page", long + "السيد أحمد " + long, "احمد", []string{"أحمد"}},
		{"script in the text", `<script>alert("x")</script> أحمد & <b>`, "احمد",
			[]string{"أحمد"}},
		{"script around the word", `<i>أحمد</i>`, "احمد", []string{"أحمد"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := openIndex(t)
			mustAdd(t, ix, index.Page{RecordID: "r1", Number: 1, Text: tt.text})

			hits, _ := mustSearch(t, ix, tt.query, 1)

			if len(hits) != 1 {
				t.Fatalf("got %d hits, want 1", len(hits))
			}
			h := hits[0]
			var marked []string
			for _, m := range h.Marks {
				marked = append(marked, h.Snippet[m.Start:m.End])
			}
			if !slices.Equal(marked, tt.wantMarked) {
				t.Errorf("marked %q in %q, want %q", marked, h.Snippet, tt.wantMarked)
			}
			if !strings.Contains(tt.text, strings.Trim(h.Snippet, "…")) {
				t.Errorf("Snippet %q is not a part of the page's text", h.Snippet)
			}
			html := string(h.SnippetHTML)
			if strings.Contains(html, "<script") || strings.Contains(html, "<b>") ||
				strings.Contains(html, "<i>") {
				t.Errorf("SnippetHTML = %q lets the page's own tags through", html)
			}
			for _, m := range marked {
				if !strings.Contains(html, "<mark>"+m+"</mark>") {
					t.Errorf("SnippetHTML = %q, want %q marked", html, m)
				}
			}
		})
	}
}
