package render_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs/render"
)

// building is a building certificate with the kinds of text Sijil prints:
// Arabic, English, Arabic-Indic and Latin digits, and mixed lines.
func building() render.Sheet {
	return render.Sheet{
		Header:  []string{"الجمهورية اللبنانية – بلدية المدينة", "Municipality of Al-Madina"},
		Title:   "إفادة مبنى",
		TitleEn: "Building certificate",
		Fields: []render.Field{
			{Label: "اسم المالك", LabelEn: "Owner", Value: "محمد علي الحسن"},
			{Label: "رقم العقار", LabelEn: "Plot number",
				Value: "١٢٣٤ / المنطقة العقارية الثالثة"},
			{Label: "رخصة البناء", LabelEn: "Building permit",
				Value: "رخصة رقم 4517/1998 – Permit No. 4517/1998"},
			{Label: "تاريخ الإفادة", LabelEn: "Date", Value: "2024-03-01"},
			{Label: "المساحة الإجمالية", LabelEn: "Total area", Value: "145.5 م²"},
			{Label: "العنوان", LabelEn: "Address", Value: "شارع الاستقلال، بناية النور، " +
				"الطابق الثالث، قرب مدرسة الراهبات، حي السراي القديم، " +
				"المدينة – Istiqlal Street, Al-Nour building, third floor"},
		},
		Table: &render.Table{
			Headers: []string{"الطابق", "المساحة م²", "الاستعمال"},
			Rows: [][]string{
				{"الأرضي", "72.5", "تجاري – Commercial"},
				{"الأول", "73", "سكني"},
			},
			Total: []string{"المجموع", "145.5", ""},
		},
		Notes: []string{
			"أعطيت هذه الإفادة بناء على طلب صاحب العلاقة لتقديمها إلى من يلزم، " +
				"ولا تعتبر سند ملكية.",
			"This certificate was issued at the owner's request and is not a title deed.",
		},
		QRText:    "https://sijil.example.gov/v/B-2024-000123?c=7K2QXW",
		QRCaption: []string{"B-2024-000123", "7K2Q-XW", "https://sijil.example.gov/v"},
		Footer:    "مجاناً · الخط الساخن 115 · Free of charge · hotline 115",
	}
}

func newRenderer(t testing.TB) *render.Renderer {
	t.Helper()
	r, err := render.New("", "")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// need fails the test when a command-line tool is missing: these tests
// are the only proof the PDF works in real viewers, so they never skip.
func need(t testing.TB, tool, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s not found: install the Debian package %s", tool, pkg)
	}
}

func writePDF(t testing.TB, s render.Sheet) string {
	t.Helper()
	pdf, err := newRenderer(t).Sheet(s)
	if err != nil {
		t.Fatalf("Sheet: %v", err)
	}
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("RENDER_KEEP"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "sheet.pdf"), pdf, 0o644)
	}
	return path
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// normalize drops the bidi controls and joiners pdftotext adds around RTL
// runs and collapses whitespace, so that texts compare in logical order.
func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u200e', r == '\u200f', r >= '\u202a' && r <= '\u202e',
			r >= '\u2066' && r <= '\u2069', r == '\u200c', r == '\u200d':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func sheetTexts(s render.Sheet) []string {
	texts := append([]string{s.Title, s.TitleEn, s.Footer}, s.Header...)
	for _, f := range s.Fields {
		texts = append(texts, f.Label, f.LabelEn, f.Value)
	}
	for _, r := range append(s.Table.Rows, s.Table.Headers, s.Table.Total) {
		texts = append(texts, r...)
	}
	texts = append(texts, s.Notes...)
	return append(texts, s.QRCaption...)
}

func TestSheetTextInLogicalOrder(t *testing.T) {
	need(t, "pdftotext", "poppler-utils")
	s := building()
	path := writePDF(t, s)

	for _, mode := range []string{"-nopgbrk", "-layout"} {
		got := normalize(run(t, "pdftotext", mode, "-enc", "UTF-8", path, "-"))
		for _, want := range sheetTexts(s) {
			if want == "" || (mode == "-layout" && strings.Contains(want, " ")) {
				continue // -layout interleaves wrapped cells with their neighbours
			}
			t.Run(mode+"/"+want, func(t *testing.T) {
				if !strings.Contains(got, normalize(want)) {
					t.Errorf("pdftotext %s lacks %q; got:\n%s", mode, want, got)
				}
			})
		}
	}
}

func TestSheetPassesQPDF(t *testing.T) {
	need(t, "qpdf", "qpdf")
	path := writePDF(t, building())
	out := run(t, "qpdf", "--check", path)
	if strings.Contains(out, "WARNING") {
		t.Errorf("qpdf --check warns:\n%s", out)
	}
}

func TestQRDecodes(t *testing.T) {
	need(t, "pdftoppm", "poppler-utils")
	need(t, "zbarimg", "zbar-tools")
	s := building()
	path := writePDF(t, s)

	prefix := filepath.Join(t.TempDir(), "page")
	run(t, "pdftoppm", "-r", "150", "-png", "-singlefile", path, prefix)
	got := strings.TrimRight(run(t, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
		prefix+".png"), "\n")
	if got != s.QRText {
		t.Errorf("zbarimg = %q, want %q", got, s.QRText)
	}
}

// TestLongTextStaysOnPage checks that long values, including words longer
// than their column, wrap inside the margins instead of running off.
func TestLongTextStaysOnPage(t *testing.T) {
	need(t, "pdftotext", "poppler-utils")
	s := building()
	s.Fields[0].Value = strings.Repeat("محمد علي الحسن بن عبد الرحمن ", 6)
	s.Fields[1].Value = strings.Repeat("٠١٢٣٤٥٦٧٨٩", 12)
	s.QRCaption = append(s.QRCaption, "https://sijil.example.gov/v/"+strings.Repeat("X", 150))
	s.Table.Rows[0][2] = strings.Repeat("Commercial ", 8)
	path := writePDF(t, s)

	const minX, maxX = 10 * 72 / 25.4, 595.28 - 10*72/25.4 // 10 mm from the edges
	box := regexp.MustCompile(`xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)"`)
	words := box.FindAllStringSubmatch(run(t, "pdftotext", "-bbox", path, "-"), -1)
	if len(words) == 0 {
		t.Fatal("pdftotext -bbox found no words")
	}
	for _, w := range words {
		x0, _ := strconv.ParseFloat(w[1], 64)
		x1, _ := strconv.ParseFloat(w[2], 64)
		if x0 < minX || x1 > maxX {
			t.Errorf("word spans x %.0f–%.0f pt, outside %.0f–%.0f", x0, x1, minX, maxX)
		}
	}
}

func TestConcurrentSheetsAreIdentical(t *testing.T) {
	r := newRenderer(t)
	want, err := r.Sheet(building())
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			got, err := r.Sheet(building())
			if err == nil && !bytes.Equal(got, want) {
				err = errors.New("concurrent render differs from the sequential one")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestMissingGlyphIsAnError(t *testing.T) {
	r := newRenderer(t)
	for _, tc := range []struct{ name, char string }{
		{"emoji", "🙂"},
		{"CJK", "中"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := building()
			s.Fields[0].Value = "محمد " + tc.char + " علي"
			_, err := r.Sheet(s)
			if err == nil || !strings.Contains(err.Error(), tc.char) {
				t.Fatalf("Sheet error = %v, want one naming %q", err, tc.char)
			}
			if sijil.KindOf(err) != sijil.Invalid {
				t.Errorf("kind = %v, want Invalid", sijil.KindOf(err))
			}
		})
	}
}

func TestOverlongContentIsAnError(t *testing.T) {
	r := newRenderer(t)
	long := strings.Repeat("أعطيت هذه الإفادة بناء على طلب صاحب العلاقة. ", 20)
	for _, tc := range []struct {
		name string
		edit func(*render.Sheet)
	}{
		{"note longer than a page", func(s *render.Sheet) {
			s.Notes = []string{strings.Repeat(long, 8)}
		}},
		{"fields", func(s *render.Sheet) { s.Fields[0].Value = strings.Repeat(long, 5) }},
		{"row taller than a page", func(s *render.Sheet) {
			s.Table.Rows = append(s.Table.Rows, []string{"الأول", "73", strings.Repeat(long, 4)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := building()
			tc.edit(&s)
			_, err := r.Sheet(s)
			if sijil.KindOf(err) != sijil.TooLarge {
				t.Fatalf("Sheet error = %v, want TooLarge", err)
			}
		})
	}
}

func TestFindFontsReturnsAmiri(t *testing.T) {
	reg, bold, err := render.FindFonts()
	if err != nil {
		t.Fatalf("FindFonts: %v", err)
	}
	for _, p := range []string{reg, bold} {
		if !strings.Contains(filepath.Base(p), "Amiri") {
			t.Errorf("FindFonts gave %s, want an Amiri face", p)
		}
	}
	r := newRenderer(t)
	if gotReg, gotBold := r.FontPaths(); gotReg != reg || gotBold != bold {
		t.Errorf("FontPaths = %s, %s; want %s, %s", gotReg, gotBold, reg, bold)
	}
}

func TestNewWithMissingFontNamesPackage(t *testing.T) {
	_, err := render.New("/nonexistent/Amiri-Regular.ttf", "")
	if err == nil || !strings.Contains(err.Error(), "fonts-hosny-amiri") {
		t.Fatalf("New error = %v, want one naming fonts-hosny-amiri", err)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error does not wrap os.ErrNotExist: %v", err)
	}
}

func BenchmarkSheet(b *testing.B) {
	r := newRenderer(b)
	s := building()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Sheet(s); err != nil {
			b.Fatal(err)
		}
	}
}
