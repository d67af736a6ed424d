package index_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/internal/indextest"
)

// TestVariantSpellings pins recall: each query must find the page whatever
// spelling, diacritics, digits or OCR controls either side uses.
func TestVariantSpellings(t *testing.T) {
	tests := []struct {
		name, text, query string
	}{
		{"hamza alef in text", "السيد أحمد الخطيب", "احمد"},
		{"hamza alef in query", "السيد احمد الخطيب", "أحمد"},
		{"hamza below", "إبراهيم", "ابراهيم"},
		{"taa marbuta in text", "مدرسة البنات", "مدرسه"},
		{"haa in text", "مدرسه البنات", "مدرسة"},
		{"alef maqsura in text", "مستشفى المدينة", "مستشفي"},
		{"yaa in text", "مستشفي المدينة", "مستشفى"},
		{"diacritics in text", "مُحَمَّد سَعِيد", "محمد"},
		{"diacritics in query", "محمد سعيد", "مُحَمَّد"},
		{"superscript alef", "هٰذا البيت", "هذا"},
		{"tatweel in text", "مـــدير المدرسة", "مدير"},
		{"tatweel in query", "مدير المدرسة", "مـــدير"},
		{"arabic-indic digits in text", "رخصة رقم ٤٥١٧", "4517"},
		{"ascii digits in text", "رخصة رقم 4517", "٤٥١٧"},
		{"eastern digits in query", "رخصة رقم 4517", "۴۵۱۷"},
		{"eastern digits in text", "رخصة رقم ۴۵۱۷", "٤٥١٧"},
		{"RLM inside a word", "الس\u200fيد مح\u200fمد", "محمد"},
		{"LRM and RLM around words", "\u200fمحمد\u200f \u200eعلي\u200e", "علي"},
		{"bidi isolates and ALM", "\u2067مح\u061cمد\u2069 علي", "محمد"},
		{"ZWNJ and ZWJ", "مح\u200cمد مد\u200dرسة", "مدرسة"},
		{"lam-alef ligature in text", "ﻻ يوجد", "لا"},
		{"presentation forms in text", "ﻣﺤﻤﺪ", "محمد"},
		{"hamza on waw", "مؤسسة", "موسسة"},
		{"hamza on yeh", "رئيس البلدية", "رييس"},
		{"alef wasla", "ٱلمدينة", "المدينة"},
		{"farsi yeh and keheh", "کتاب علی", "كتاب علي"},
		{"english word", "Building permit issued", "PERMIT"},
		{"permit number in arabic line", "رخصة بناء رقم ٢٠١٩/٤٥١٧ حي الميدان", "4517"},
		{"number glued to a word", "رخصة رقم٤٥١٧ و١٩٩٨", "1998"},
		{"two words in any order", "مدرسة البنات في حي الميدان", "الميدان مدرسه"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := openIndex(t)
			mustAdd(t, ix, index.Page{RecordID: "r1", Number: 1, Text: tt.text})
			mustAdd(t, ix, index.Page{RecordID: "noise", Number: 1, Text: "نص عن الحدائق"})

			hits, _ := mustSearch(t, ix, tt.query, 10)

			if len(hits) != 1 || hits[0].RecordID != "r1" {
				t.Errorf("Search(%q) over %q = %v, want only r1", tt.query, tt.text, ids(hits))
			}
		})
	}
}

func TestSearchMisses(t *testing.T) {
	ix := openIndex(t)
	mustAdd(t, ix, index.Page{RecordID: "r1", Number: 1, Text: "مدرسة البنات رقم 4517"})

	for _, q := range []string{"مستشفى", "4518", "مدرسة مستشفى"} {
		if hits, total := mustSearch(t, ix, q, 10); len(hits) != 0 || total != 0 {
			t.Errorf("Search(%q) = %v (total %d), want nothing", q, ids(hits), total)
		}
	}
}

func TestReference(t *testing.T) {
	ix := openIndex(t)
	mustAdd(t, ix, index.Page{RecordID: "r1", Number: 1, Text: "نص", Reference: "٤٥١٧/ب"})
	mustAdd(t, ix, index.Page{RecordID: "r2", Number: 1, Text: "نص", Reference: "4518/ب"})

	hits, _ := mustSearch(t, ix, "4517/ب", 10)

	if len(hits) != 1 || hits[0].RecordID != "r1" {
		t.Errorf("Search by reference = %v, want only r1", ids(hits))
	}
}

func TestAddTwiceReplaces(t *testing.T) {
	ix := openIndex(t)
	mustAdd(t, ix, index.Page{RecordID: "r1", Number: 2, Text: "مدرسة"})
	mustAdd(t, ix, index.Page{RecordID: "r1", Number: 2, Text: "مستشفى"})

	if hits, total := mustSearch(t, ix, "مدرسة", 10); total != 0 {
		t.Errorf("old text still found: %v", ids(hits))
	}
	hits, total := mustSearch(t, ix, "مستشفى", 10)
	if total != 1 || hits[0].RecordID != "r1" || hits[0].Page != 2 {
		t.Errorf("new text: hits %v total %d, want r1/2 once", ids(hits), total)
	}
}

func TestLimit(t *testing.T) {
	ix := openIndex(t)
	for i := range 7 {
		mustAdd(t, ix, index.Page{RecordID: "r1", Number: i + 1, Text: "سجل البلدية"})
	}

	hits, total := mustSearch(t, ix, "البلدية", 3)

	if len(hits) != 3 || total != 7 {
		t.Errorf("got %d hits of %d, want 3 of 7", len(hits), total)
	}
}

func TestRanking(t *testing.T) {
	ix := openIndex(t)
	mustAdd(t, ix, index.Page{RecordID: "weak", Number: 1,
		Text: "محمد " + strings.Repeat("نص طويل عن أشياء أخرى ", 30)})
	mustAdd(t, ix, index.Page{RecordID: "strong", Number: 1, Text: "محمد محمد محمد"})

	hits, _ := mustSearch(t, ix, "محمد", 10)

	if len(hits) != 2 || hits[0].RecordID != "strong" || hits[0].Score < hits[1].Score {
		t.Errorf("order = %v, want strong first by score", ids(hits))
	}
}

func TestSnippet(t *testing.T) {
	tests := []struct {
		name, text, query   string
		wantPlain, wantHTML string
		notInHTML           string
	}{
		{"arabic word", "شهد السيد أحمد الخطيب بذلك", "احمد",
			"أحمد", "<mark>أحمد</mark>", ""},
		{"control inside the word is marked with it", "السيد مح\u200fمد", "محمد",
			"مح\u200fمد", "<mark>مح\u200fمد</mark>", ""},
		{"html in text is escaped", `<b>"مدرسة" & <script>`, "مدرسة",
			`<b>"مدرسة" & <script>`, "&lt;b&gt;&#34;<mark>مدرسة</mark>&#34; &amp; &lt;script&gt;",
			"<script>"},
		{"digits", "رخصة رقم ٤٥١٧", "4517", "٤٥١٧", "<mark>٤٥١٧</mark>", ""},
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
			plainOK := strings.Contains(h.Snippet, tt.wantPlain)
			if !plainOK || strings.Contains(h.Snippet, "<mark>") {
				t.Errorf("Snippet = %q, want it to contain %q, unmarked", h.Snippet, tt.wantPlain)
			}
			if !strings.Contains(string(h.SnippetHTML), tt.wantHTML) {
				t.Errorf("SnippetHTML = %q, want it to contain %q", h.SnippetHTML, tt.wantHTML)
			}
			if tt.notInHTML != "" && strings.Contains(string(h.SnippetHTML), tt.notInHTML) {
				t.Errorf("SnippetHTML = %q contains unescaped %q", h.SnippetHTML, tt.notInHTML)
			}
		})
	}
}

func TestQueryRefused(t *testing.T) {
	tests := []struct {
		name, query string
		limit       int
		wantKey     string
	}{
		{"empty", "", 10, "search.empty_query"},
		{"whitespace", " \t\n\u00a0 ", 10, "search.empty_query"},
		{"too long", strings.Repeat("م", 501), 10, "search.query_too_long"},
		{"zero limit", "محمد", 0, "search.bad_limit"},
		{"huge limit", "محمد", 1_000_000, "search.bad_limit"},
	}
	ix := openIndex(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ix.Search(context.Background(), tt.query, tt.limit)

			var e *sijil.Error
			if !errors.As(err, &e) || e.Kind != sijil.Invalid || e.Key != tt.wantKey {
				t.Errorf("error = %#v, want Invalid %q", err, tt.wantKey)
			}
		})
	}
}

// TestHostileQueries pins that query-string syntax is taken as words and
// never crashes or errors.
func TestHostileQueries(t *testing.T) {
	ix := openIndex(t)
	mustAdd(t, ix, index.Page{RecordID: "r1", Number: 1, Text: "رخصة بناء title:x"})
	queries := []string{
		`+-&&||!(){}[]^"~*?:\/`, `text:*`, `*`, `"unterminated`, `/re[gex/`,
		`a~2 b^10`, `record_id:r1`, strings.Repeat("(", 500), "\x00\xff\xfe",
		"\u202e\u200f", "ـــ", "ًٌٍ",
	}

	for _, q := range queries {
		hits, _, err := ix.Search(context.Background(), q, 10)
		if err != nil {
			var e *sijil.Error
			if !errors.As(err, &e) || e.Kind != sijil.Invalid {
				t.Errorf("Search(%q) error = %v, want hits or an Invalid error", q, err)
			}
		}
		if len(hits) > 0 {
			t.Errorf("Search(%q) = %v, want no hits: syntax must not be interpreted", q, ids(hits))
		}
	}
}

func TestReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "index")
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, ix, index.Page{RecordID: "r1", Number: 1, Text: "مدرسة"})
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix, err = index.Open(dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer ix.Close()

	if hits, _ := mustSearch(t, ix, "مدرسه", 10); len(hits) != 1 {
		t.Errorf("after reopen got %v, want r1", ids(hits))
	}
}

// TestOpenHeldIndexFailsInsteadOfHanging pins a bug: a second Open of an
// index held by another process (a search during a long ingest) waited for
// ever on the lock instead of failing with a reason.
func TestOpenHeldIndexFailsInsteadOfHanging(t *testing.T) {
	dir := t.TempDir()
	openIndexAt(t, dir) // held until the test ends

	done := make(chan error, 1)
	go func() {
		ix, err := index.Open(dir)
		if err == nil {
			ix.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Open of an index held elsewhere succeeded, want an error")
		}
		// The person at the terminal is told what holds it and what to do.
		var se *sijil.Error
		if !errors.As(err, &se) || se.Kind != sijil.Conflict || se.Key != "index.in_use" {
			t.Errorf("Open of an index held elsewhere: %v, want a Conflict index.in_use", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open of an index held elsewhere still waits after 10 s")
	}
}

func TestCancelledSearch(t *testing.T) {
	ix := openIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if err := ix.Add(ctx, index.Page{RecordID: "r1", Number: 1, Text: "x"}); err == nil {
		t.Error("Add with a cancelled context returned nil")
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"أحمد", "احمد"},
		{"مُحَمَّد", "محمد"},
		{"مـــدير", "مدير"},
		{"٤٥١٧ ۴۵۱۷", "4517 4517"},
		{"مح\u200fمد\u200e", "محمد"},
		{"ﻻ", "لا"},
		{"مؤسسة رئيس ٱلبيت", "موسسه رييس البيت"},
		{"مستشفى", "مستشفي"},
		{"ی ک", "ي ك"},
		{"Permit", "permit"},
	}
	for _, tt := range tests {
		if got := index.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func openIndex(t testing.TB) *index.Index {
	t.Helper()
	return openIndexAt(t, t.TempDir())
}

func openIndexAt(t testing.TB, dir string) *index.Index {
	t.Helper()
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func mustAdd(t testing.TB, ix *index.Index, p index.Page) {
	t.Helper()
	if err := ix.Add(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func mustSearch(t testing.TB, ix *index.Index, q string, limit int) ([]index.Hit, uint64) {
	t.Helper()
	hits, total, err := ix.Search(context.Background(), q, limit)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return hits, total
}

func ids(hits []index.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s/%d", h.RecordID, h.Page)
	}
	return out
}

// TestOutdatedIndex: an index built by an older analysis is told apart, so
// that the archivist can be told to rebuild it; a new index, reopened, is
// not.
func TestOutdatedIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	for range 2 { // made, then reopened
		ix, err := index.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if v, old := ix.Outdated(); old {
			t.Errorf("a new index is outdated (built with %q)", v)
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// An index of a build that recorded no analysis version.
	if v, old := indextest.Old(t).Outdated(); !old || v != "" {
		t.Errorf("an index without a version: Outdated = %q, %v", v, old)
	}
}
