package certs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/certs/render"
)

// scan is a two-page pre-war record as a scanner would give it: a typed
// permit, then a grey drawing of the plot.
func scan(tb testing.TB) []byte {
	tb.Helper()
	r, err := render.New("", "")
	if err != nil {
		tb.Fatal(err)
	}
	pdf, err := r.Document(render.Sheet{
		Header: []string{"بلدية المدينة"},
		Title:  "رخصة مزاولة مهنة",
		Fields: []render.Field{
			{Label: "رقم الرخصة", Value: "4521/1987"},
			{Label: "اسم صاحب المحل", Value: "خالد يوسف العطار"},
		},
		Notes: []string{"يسمح لصاحب الرخصة بمزاولة مهنة النجارة في المحل المذكور."},
	}, render.ImagePage{PNG: plotDrawing(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	return pdf
}

// plotDrawing is a grey sketch of a plot with its buildings.
func plotDrawing(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, 900, 1200))
	for i := range img.Pix {
		img.Pix[i] = 0xf4
	}
	for _, r := range []image.Rectangle{
		image.Rect(100, 150, 800, 160), image.Rect(100, 150, 110, 1000),
		image.Rect(790, 150, 800, 1000), image.Rect(100, 990, 800, 1000),
		image.Rect(200, 300, 450, 600), image.Rect(500, 650, 700, 900),
	} {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.SetGray(x, y, color.Gray{Y: 0x30})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// ingestScan archives the two-page scan for real in the office.
func ingestScan(tb testing.TB, o *certstest.Office) archive.Record {
	tb.Helper()
	return o.Ingest(tb, scan(tb), archive.Metadata{Filename: "licence-4521.pdf",
		RecordType: "craft_licence", Reference: "4521/1987", Title: "رخصة مزاولة مهنة"})
}

func TestIssueCopy(t *testing.T) {
	need(t, "tesseract", "pdftotext", "pdftoppm", "zbarimg", "pdfsig")
	ctx := context.Background()
	office := certstest.New(t, now, nil)
	rec := ingestScan(t, office)
	if rec.PageCount != 2 {
		t.Fatalf("the scan was archived with %d pages, want 2", rec.PageCount)
	}

	issued, err := office.Issuer.IssueCopy(ctx, certs.CopyRequest{Record: rec.ID,
		HolderName: "خالد يوسف العطار", HolderID: "123456782"})
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, "copy.pdf", issued.PDF)

	text := pdfText(t, path)
	assertText(t, text, "صورة طبق الأصل", "Certified copy", issued.ID, rec.ID,
		"licence-4521.pdf", "4521/1987", "رخصة حرفة", "Craft licence", rec.SHA256[:16],
		rec.SHA256, rec.CreatedAt.Format(time.DateOnly), "خالد يوسف العطار", "123456782",
		"تشهد البلدية بأن الصفحتين التاليتين", "the 2 pages that follow are",
		"Certified copy · page 1 of 2", "Certified copy · page 2 of 2")
	if strings.Contains(text, "craft_licence") {
		t.Errorf("the cover prints the archive's code of the record type:\n%s", text)
	}
	// pdftotext orders the Arabic stamp line by the Latin lines around it
	// ("2 من 1صورة …"), so only its words are checked, once on each page.
	if n := strings.Count(text, "صورة طبق الأصل · صفحة"); n != 2 {
		t.Errorf("the Arabic stamp line is printed %d times, want once on each page", n)
	}
	if n := strings.Count(text, issued.ID); n != 4 {
		t.Errorf("the certificate id is printed %d times, want on the cover twice and "+
			"on each page", n)
	}
	qrs := pageQRs(t, path)
	if len(qrs) != 3 {
		t.Fatalf("%d pages, want the cover and 2 page images", len(qrs))
	}
	for i, qr := range qrs {
		if qr != issued.URL {
			t.Errorf("page %d: QR %q, want %q", i+1, qr, issued.URL)
		}
	}
	assertSigned(t, path)

	res := checkPDF(t, office.Verifier(), issued.PDF)
	cp := res.Content.Copy
	if cp == nil || res.Kind != "copy" || cp.RecordID != rec.ID || cp.SHA256 != rec.SHA256 {
		t.Fatalf("verified content: kind %s, copy %+v", res.Kind, cp)
	}
	if want := archivedPageDigests(t, office, rec); fmt.Sprint(cp.Pages) != fmt.Sprint(want) {
		t.Errorf("page digests %v, want the archived pages' %v", cp.Pages, want)
	}
	if masked := res.Content.Masked().Copy.HolderID; masked != "••••••782" {
		t.Errorf("masked national ID %q", masked)
	}
}

// TestCopyCoverCountsItsPagesInWords pins a trial's finding: the cover of a
// one-page record said "the 1 pages that follow" and "وعددها 1".
func TestCopyCoverCountsItsPagesInWords(t *testing.T) {
	need(t, "tesseract", "pdftotext")
	office := certstest.New(t, now, nil)
	rec := office.Ingest(t, plotDrawing(t), archive.Metadata{Filename: "plot.png",
		RecordType: "building_permit"})

	issued, err := office.Issuer.IssueCopy(context.Background(),
		certs.CopyRequest{Record: rec.ID})
	if err != nil {
		t.Fatal(err)
	}

	text := strings.Join(strings.Fields(pdfText(t, writePDF(t, "one.pdf", issued.PDF))), " ")
	assertText(t, text, "الصفحة التالية صورة طبق الأصل", "the page that follows is a true",
		"رخصة بناء", "Building permit")
	for _, wrong := range []string{"1 pages", "وعددها", "building_permit"} {
		if strings.Contains(text, wrong) {
			t.Errorf("the cover of a one-page copy says %q:\n%s", wrong, text)
		}
	}
}

func archivedPageDigests(t *testing.T, o *certstest.Office, rec archive.Record) []string {
	t.Helper()
	var out []string
	for n := 1; n <= rec.PageCount; n++ {
		rc, err := o.Blobs.Get(context.Background(), archive.PageImageKey(rec.SHA256, n))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out = append(out, hex.EncodeToString(sum[:]))
	}
	return out
}

// noPages is an archive whose one record lost its page images.
type noPages struct{}

func (noPages) RecordForCopy(_ context.Context, id string) (certs.CopySource, error) {
	if id != "rec_empty" {
		return certs.CopySource{}, sijil.Errorf(sijil.NotFound, "archive.not_found", "no")
	}
	return certs.CopySource{ID: id, SHA256: strings.Repeat("ef", 32)}, nil
}

func TestIssueCopyRefuses(t *testing.T) {
	office := certstest.New(t, now, nil)
	empty := *office.Issuer
	empty.Pages = noPages{}
	tests := []struct {
		name    string
		is      *certs.Issuer
		json    string
		wantKey string
	}{
		{"unknown record", office.Issuer, `{"record": "rec_0000000000000000"}`,
			"certs.unknown_record"},
		{"a record with no pages", &empty, `{"record": "rec_empty"}`, "certs.record_no_pages"},
		{"no record", office.Issuer, `{}`, "certs.field_required"},
		{"holder without ID", &empty, `{"record": "rec_empty", "holder_name": "خالد"}`,
			"certs.bad_national_id"},
		{"ID without holder", &empty, `{"record": "rec_empty", "holder_id": "123456782"}`,
			"certs.field_required"},
		{"bad check digit", &empty,
			`{"record": "rec_empty", "holder_name": "خالد", "holder_id": "123456783"}`,
			"certs.bad_national_id"},
		{"misspelt field", office.Issuer, `{"record_id": "rec_empty"}`, "certs.bad_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := certs.ParseCopyRequest([]byte(tt.json))
			if err == nil {
				_, err = tt.is.IssueCopy(context.Background(), req)
			}
			var e *sijil.Error
			if !errors.As(err, &e) || e.Kind != sijil.Invalid || e.Key != tt.wantKey {
				t.Fatalf("got %v, want an Invalid error %s", err, tt.wantKey)
			}
		})
	}
}

// BenchmarkIssueCopy measures a certified copy of a two-page record:
// reading the pages, the cover, the page images, signing and recording.
func BenchmarkIssueCopy(b *testing.B) {
	office := certstest.New(b, now, nil)
	req := certs.CopyRequest{Record: ingestScan(b, office).ID}
	var size int
	benchLatency(b, func() error {
		issued, err := office.Issuer.IssueCopy(context.Background(), req)
		size = len(issued.PDF)
		return err
	})
	b.ReportMetric(float64(size)/1024, "KB-pdf")
}
