package render_test

import (
	"os"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/certs/render"
)

// harakatCases reads testdata/harakat.txt: one text a line, # comments.
func harakatCases(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/harakat.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for l := range strings.Lines(string(data)) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			cases = append(cases, l)
		}
	}
	return cases
}

// TestHarakatExtractInLogicalOrder pins the bug where a mark drawn over a
// letter cut its word in pdftotext: "مرخّص" came out as "خص" on one line
// and "مر ّ" on another. Every text is drawn as it is and inside a longer
// one that wraps, in each place text goes on a certificate.
func TestHarakatExtractInLogicalOrder(t *testing.T) {
	need(t, "pdftotext", "poppler-utils")
	r := newRenderer(t)

	places := []struct {
		name  string
		sheet func(text, wrapped string) render.Sheet
	}{
		{"fields/one-column", func(text, wrapped string) render.Sheet {
			return harakatFields(1, text, wrapped)
		}},
		{"fields/two-column", func(text, wrapped string) render.Sheet {
			return harakatFields(2, text, wrapped)
		}},
		{"table", func(text, wrapped string) render.Sheet {
			return render.Sheet{Title: "إفادة", Table: &render.Table{
				Headers: []string{"الاسم", "الرقم", "الوصف"},
				Rows:    [][]string{{text, "1", wrapped}, {wrapped, "2", text}},
			}}
		}},
		{"notes", func(text, wrapped string) render.Sheet {
			return render.Sheet{Title: "إفادة", Notes: []string{text,
				wrapped + " " + wrapped + " " + wrapped},
				QRText: "https://sijil.example.gov/v/B-1"}
		}},
	}
	for _, text := range harakatCases(t) {
		wrapped := "بموجب " + text + " وفق السجل " + text + " المحفوظ " + text
		for _, pl := range places {
			t.Run(pl.name+"/"+text, func(t *testing.T) {
				t.Parallel()
				pdf, err := r.Sheet(pl.sheet(text, wrapped))
				if err != nil {
					t.Fatalf("Sheet: %v", err)
				}
				got := normalize(pdftotext(t, pdf))
				for _, want := range []string{text, wrapped} {
					if !strings.Contains(got, normalize(want)) {
						t.Errorf("pdftotext lacks %q; got:\n%s", want, got)
					}
				}
			})
		}
	}
}

func harakatFields(cols int, text, wrapped string) render.Sheet {
	return render.Sheet{Title: "إفادة", FieldColumns: cols, Fields: []render.Field{
		{Label: "الوضع التنظيمي", LabelEn: "Zoning", Value: text},
		{Label: "الاسم", LabelEn: "Name", Value: wrapped},
		{Label: "الرقم", LabelEn: "Number", Value: "4517"},
	}}
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	path := t.TempDir() + "/sheet.pdf"
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return run(t, "pdftotext", "-nopgbrk", "-enc", "UTF-8", path, "-")
}
