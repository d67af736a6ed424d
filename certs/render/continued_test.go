package render_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/certs/render"
)

// tower is the largest building certificate with floors enough to fill
// four pages.
func tower() render.Sheet {
	s := fullBuilding()
	s.Table.Rows = nil
	for i := range 60 {
		s.Table.Rows = append(s.Table.Rows,
			[]string{fmt.Sprintf("الطابق %d", i+1), fmt.Sprintf("%d.25", 100+i), "سكني"})
	}
	return s
}

// pageTexts returns pdftotext's text of each page, normalized.
func pageTexts(t *testing.T, path string) []string {
	t.Helper()
	pages := strings.Split(run(t, "pdftotext", "-enc", "UTF-8", path, "-"), "\f")
	if pages[len(pages)-1] == "" || strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	for i := range pages {
		pages[i] = normalize(pages[i])
	}
	return pages
}

func TestLongTableContinuesOnPages(t *testing.T) {
	need(t, "pdftotext", "poppler-utils")
	need(t, "pdftoppm", "poppler-utils")
	need(t, "zbarimg", "zbar-tools")
	s := tower()
	path := writePDF(t, s)

	pages := pageTexts(t, path)
	if len(pages) < 2 {
		t.Fatalf("%d page(s), want the rows to continue on more", len(pages))
	}
	for i, text := range pages {
		want := []string{fmt.Sprintf("page %d of %d", i+1, len(pages)), s.QRCaption[0]}
		if i > 0 {
			want = append(want, "Building certificate · continued", "تابع", "Area m²")
		} else {
			want = append(want, s.Fields[0].Value, "Area m²")
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("page %d lacks %q; got:\n%s", i+1, w, text)
			}
		}
	}

	// Every row once, in order, and the total only after the last one.
	all := strings.Join(pages, " ")
	at := 0
	for _, r := range s.Table.Rows {
		i := strings.Index(all[at:], r[1])
		if i < 0 {
			t.Fatalf("row %q missing or out of order", r)
		}
		at += i
	}
	last := pages[len(pages)-1]
	if !strings.Contains(last, s.Table.Total[1]) || strings.Count(all, s.Table.Total[1]) != 1 {
		t.Errorf("total %s not once, on the last page", s.Table.Total[1])
	}
	// Only the English note: on a page with more Latin letters than Arabic
	// ones, as this last one, pdftotext orders lines that mix them visually.
	if !strings.Contains(last, normalize(s.Notes[1])) {
		t.Errorf("the last page lacks the note %q", s.Notes[1])
	}

	prefix := filepath.Join(t.TempDir(), "page")
	run(t, "pdftoppm", "-r", "150", "-png", path, prefix)
	pngs, _ := filepath.Glob(prefix + "*.png")
	slices.Sort(pngs)
	for i, png := range pngs {
		got := strings.TrimRight(run(t, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
			png), "\n")
		if got != s.QRText {
			t.Errorf("page %d: zbarimg = %q, want %q", i+1, got, s.QRText)
		}
	}
}

func TestContinuedSheetPassesQPDF(t *testing.T) {
	need(t, "qpdf", "qpdf")
	out := run(t, "qpdf", "--check", writePDF(t, tower()))
	if strings.Contains(out, "WARNING") {
		t.Errorf("qpdf --check warns:\n%s", out)
	}
}

// TestLongNotesContinue checks that notes which do not fit beside a short
// table move to a page of their own, whole.
func TestLongNotesContinue(t *testing.T) {
	need(t, "pdftotext", "poppler-utils")
	s := building()
	long := strings.Repeat("أعطيت هذه الإفادة بناء على طلب صاحب العلاقة. ", 20)
	s.Notes = []string{long, long, long, long, "The last note."}
	pages := pageTexts(t, writePDF(t, s))
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	if !strings.Contains(pages[1], "The last note.") || strings.Contains(pages[0], "The last note.") {
		t.Errorf("the last note is not on page 2 alone:\n%s", pages[1])
	}
}
