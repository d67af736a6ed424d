package certs_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
)

const validCraft = `{
  "shop_name": "محل النجارة الحديثة", "licence_no": "ت/4521/1987",
  "holder_name": "خالد يوسف العطار", "holder_id": "123456782",
  "neighbourhood": "الشجاعية", "street": "شارع صلاح الدين",
  "activity": "نجارة الأثاث المنزلي وبيعه", "from_year": 1987, "to_year": 2023,
  "records": ["rec_licence"]
}`

func newCraftOffice(tb testing.TB) *certstest.Office {
	tb.Helper()
	return certstest.New(tb, now, certstest.Records{"rec_licence": strings.Repeat("cd", 32)})
}

func TestIssueCraft(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "zbarimg", "pdfsig")
	office := newCraftOffice(t)
	req, err := certs.ParseCraftRequest([]byte(validCraft))
	if err != nil {
		t.Fatal(err)
	}
	issued, err := office.Issuer.IssueCraft(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, "craft.pdf", issued.PDF)

	assertText(t, pdfText(t, path), "إفادة حرفة", "Craft certificate", issued.ID,
		"محل النجارة الحديثة", "ت/4521/1987", "خالد يوسف العطار", "123456782",
		"الشجاعية", "شارع صلاح الدين", "نجارة الأثاث المنزلي وبيعه",
		"مزاولة النشاط من سنة", "Practised from (year)", "1987", "حتى سنة", "2023",
		"rec_licence", "تشهد البلدية")
	if qrs := pageQRs(t, path); len(qrs) != 1 || qrs[0] != issued.URL {
		t.Errorf("QR codes %q, want one page with %q", qrs, issued.URL)
	}
	assertSigned(t, path)

	res := checkPDF(t, office.Verifier(), issued.PDF)
	c := res.Content.Craft
	if c == nil || res.Kind != "craft" || c.FromYear != 1987 || c.ToYear != 2023 ||
		len(c.Records) != 1 || c.Records[0].SHA256 != strings.Repeat("cd", 6)+"…" {
		t.Fatalf("verified content: kind %s, craft %+v", res.Kind, c)
	}
	if masked := res.Content.Masked().Craft.HolderID; masked != "••••••782" {
		t.Errorf("masked national ID %q", masked)
	}
}

func TestIssueCraftRefusesBadFacts(t *testing.T) {
	is := newCraftOffice(t).Issuer
	tests := []struct {
		name    string
		edit    func(m map[string]any)
		wantKey string
	}{
		{"years reversed", func(m map[string]any) { m["from_year"], m["to_year"] = 2023, 1987 },
			"certs.years_reversed"},
		{"year before 1900", func(m map[string]any) { m["from_year"] = 1850 }, "certs.bad_year"},
		{"year in the future", func(m map[string]any) { m["to_year"] = 2030 }, "certs.bad_year"},
		{"no years", func(m map[string]any) { delete(m, "from_year") }, "certs.bad_year"},
		{"year as text", func(m map[string]any) { m["from_year"] = "1987" }, "certs.bad_json"},
		{"missing shop", func(m map[string]any) { delete(m, "shop_name") },
			"certs.field_required"},
		{"missing activity", func(m map[string]any) { m["activity"] = " " },
			"certs.field_required"},
		{"bad check digit", func(m map[string]any) { m["holder_id"] = "123456783" },
			"certs.bad_national_id"},
		{"override in the shop name", func(m map[string]any) {
			m["shop_name"] = "محل \u202eكذب"
		}, "certs.field_control"},
		{"unknown record", func(m map[string]any) { m["records"] = []string{"rec_nope"} },
			"certs.unknown_record"},
		{"no proving record", func(m map[string]any) { m["records"] = []string{} },
			"certs.record_count"},
		{"misspelt field", func(m map[string]any) { m["licence"] = "x" }, "certs.bad_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(validCraft), &m); err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			data, _ := json.Marshal(m)

			req, err := certs.ParseCraftRequest(data)
			if err == nil {
				_, err = is.IssueCraft(context.Background(), req)
			}
			var e *sijil.Error
			if !errors.As(err, &e) || e.Kind != sijil.Invalid || e.Key != tt.wantKey {
				t.Fatalf("got %v, want an Invalid error %s", err, tt.wantKey)
			}
		})
	}
}

func TestSupersedeCraft(t *testing.T) {
	is := newCraftOffice(t).Issuer
	req, err := certs.ParseCraftRequest([]byte(validCraft))
	if err != nil {
		t.Fatal(err)
	}
	first, err := is.IssueCraft(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.ToYear = 2022
	if _, err := is.SupersedeCraft(context.Background(), first.ID, req); err != nil {
		t.Fatal(err)
	}
	_, err = is.SupersedeCraft(context.Background(), first.ID, req)
	if sijil.KindOf(err) != sijil.Conflict {
		t.Errorf("superseding a superseded certificate: got %v, want a Conflict", err)
	}
}

// BenchmarkIssueCraft measures a craft certificate's whole issuance; the
// budget is the building certificate's, a median under 50 ms.
func BenchmarkIssueCraft(b *testing.B) {
	is := newCraftOffice(b).Issuer
	req, err := certs.ParseCraftRequest([]byte(validCraft))
	if err != nil {
		b.Fatal(err)
	}
	var size int
	benchLatency(b, func() error {
		issued, err := is.IssueCraft(context.Background(), req)
		size = len(issued.PDF)
		return err
	})
	b.ReportMetric(float64(size)/1024, "KB-pdf")
}
