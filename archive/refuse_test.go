package archive_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// TestIngestRefuses checks that every refusal is a *sijil.Error a clerk can
// act on, and that nothing is left in the database.
func TestIngestRefuses(t *testing.T) {
	page := textPage(t, pageLines)
	tiff2 := multiTIFF(page, upsideDown(page))
	pdf := textPDF(pageLines)
	tests := []struct {
		name   string
		data   []byte
		limits archive.Limits
		kind   sijil.Kind
		key    string
		says   string
	}{
		{"unknown bytes", []byte("name,parcel\nAhmad,1207\n"), archive.Limits{},
			sijil.Invalid, "archive.unsupported_type", "only PDF, TIFF, JPEG and PNG"},
		{"empty file", nil, archive.Limits{},
			sijil.Invalid, "archive.empty_file", "the file is empty"},
		{"truncated TIFF", tiff2[:len(tiff2)/2], archive.Limits{},
			sijil.Invalid, "archive.damaged_file", "truncated or damaged"},
		{"truncated PDF", pdf[:len(pdf)/2], archive.Limits{},
			sijil.Invalid, "archive.damaged_file", "truncated or damaged"},
		{"truncated PNG", encodePNG(t, page)[:2000], archive.Limits{},
			sijil.Invalid, "archive.damaged_file", "truncated or damaged"},
		{"pixel bomb", pngHeader(100_000, 100_000), archive.Limits{},
			sijil.TooLarge, "archive.page_too_large", "100000 × 100000"},
		{"a strip longer than Tesseract reads", pngHeader(40_000, 8), archive.Limits{},
			sijil.TooLarge, "archive.page_too_long", "40000 × 8"},
		{"16-bit colour page too deep to decode", pngHeaderDepth(6000, 6000, 16, 6),
			archive.Limits{}, sijil.TooLarge, "archive.page_too_deep", "greyscale"},
		{"page over a low pixel limit", tiff2, archive.Limits{MaxPixels: 1000},
			sijil.TooLarge, "archive.page_too_large", "limit is 0.0 million"},
		{"pages adding up over the file's pixel limit", tiff2,
			archive.Limits{MaxFilePixels: int64(page.Bounds().Dx()*page.Bounds().Dy()) + 1},
			sijil.TooLarge, "archive.file_too_many_pixels", "split it into smaller files"},
		{"too many TIFF pages", tiff2, archive.Limits{MaxPages: 1},
			sijil.TooLarge, "archive.too_many_pages", "more than 1 pages"},
		{"too many PDF pages", qpdf(t, pdf, "--empty", "--pages", "IN", "IN", "IN", "--"),
			archive.Limits{MaxPages: 2}, sijil.TooLarge, "archive.too_many_pages",
			"more than 2 pages"},
		{"PDF with a password", encryptedPDF(t, pdf), archive.Limits{},
			sijil.Invalid, "archive.pdf_password", "give its password"},
		{"over the byte limit", pdf, archive.Limits{MaxBytes: 100},
			sijil.TooLarge, "archive.file_too_large", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "eng")
			f.in.Limits = tt.limits

			_, _, err := f.in.Ingest(context.Background(), bytes.NewReader(tt.data),
				archive.Metadata{Filename: "scan.pdf"})

			se := wantKind(t, err, tt.kind, tt.key)
			if !strings.Contains(se.Message, tt.says) {
				t.Errorf("message %q does not say %q", se.Message, tt.says)
			}
			if r, p := f.countRows(t); r != 0 || p != 0 {
				t.Errorf("%d records and %d pages left after a refusal", r, p)
			}
		})
	}
}

// encryptedPDF returns pdf protected by the user password "secret" and
// the owner password "owner", as a citizen's bank statement might be.
func encryptedPDF(t *testing.T, pdf []byte) []byte {
	t.Helper()
	return qpdfEncrypt(t, pdf, "secret", "owner")
}

// qpdfEncrypt encrypts pdf with AES-256 and the passwords, with qpdf.
func qpdfEncrypt(t *testing.T, pdf []byte, user, owner string) []byte {
	t.Helper()
	return qpdf(t, pdf, "--encrypt", user, owner, "256", "--", "IN")
}

// qpdf runs qpdf with args, IN standing for pdf's file, and returns the
// PDF it writes.
func qpdf(t *testing.T, pdf []byte, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Fatal("qpdf is missing; install the Debian package qpdf")
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	out := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		if a == "IN" {
			args[i] = in
		}
	}
	cmd := exec.Command("qpdf", append(args, out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("qpdf %q: %v: %s", args, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestEncryptedPDF checks that a PDF whose owner password only restricts
// printing opens as it is, and that one locked with a user password opens
// with either of its passwords and is refused, saying why, without.
func TestEncryptedPDF(t *testing.T) {
	pdf := textPDF(pageLines)
	ownerOnly := qpdfEncrypt(t, pdf, "", "owner")
	locked := qpdfEncrypt(t, pdf, "user", "owner")
	tests := []struct {
		name, password string
		data           []byte
		key, says      string // of the refusal; "" when it must open
	}{
		{"owner password only", "", ownerOnly, "", ""},
		{"user password given", "user", locked, "", ""},
		{"owner password given", "owner", locked, "", ""},
		{"no password given", "", locked, "archive.pdf_password", "give its password"},
		{"wrong password given", "guess", locked, "archive.pdf_wrong_password",
			"password given does not open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "eng")
			ctx := context.Background()
			if tt.password != "" {
				ctx = archive.WithPDFPassword(ctx, tt.password)
			}

			rec, _, err := f.in.Ingest(ctx, bytes.NewReader(tt.data),
				archive.Metadata{Filename: "locked.pdf"})

			if tt.says != "" {
				se := wantKind(t, err, sijil.Invalid, tt.key)
				if !strings.Contains(se.Message, tt.says) {
					t.Errorf("message %q does not say %q", se.Message, tt.says)
				}
				if r, p := f.countRows(t); r != 0 || p != 0 {
					t.Errorf("%d records and %d pages left after a refusal", r, p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pages, err := f.store.Pages(ctx, rec.ID)
			if err != nil || len(pages) != 1 || !strings.Contains(pages[0].Text, "bakery") {
				t.Errorf("pages %+v, %v; want one page that reads \"bakery\"", pages, err)
			}

			// The password is not kept, so a locked PDF's page image is made at
			// ingest: the first look could not open the original again.
			rc, _, err := f.in.PageImage(context.Background(), rec.SHA256, 1,
				archive.ImageThumb)
			if err != nil {
				t.Fatalf("the first look at the page: %v", err)
			}
			rc.Close()
		})
	}
}

func TestReingestIsNoOp(t *testing.T) {
	f := newFixture(t, "eng")
	data := encodePNG(t, textPage(t, pageLines))
	first := f.mustIngest(t, data, "first.png")

	rec, existed, err := f.in.Ingest(context.Background(), bytes.NewReader(data),
		archive.Metadata{Filename: "renamed.png"})

	if err != nil || !existed || !reflect.DeepEqual(rec, first.rec) {
		t.Fatalf("re-ingest = %+v, %v, %v; want the first record, existed", rec, existed, err)
	}
	if r, p := f.countRows(t); r != 1 || p != 1 {
		t.Errorf("%d records and %d pages after a re-ingest; want 1 and 1", r, p)
	}
	// The page is indexed again, as it was (see TestIndexFailureKeepsRecord
	// for why), which leaves an index that had it as it was.
	if n := len(f.index.pages); n != 2 || !reflect.DeepEqual(f.index.pages[0],
		f.index.pages[1]) {
		t.Errorf("indexed %d times (%+v); want twice, the same", n, f.index.pages)
	}
}

func TestIngestCancelledLeavesNoRows(t *testing.T) {
	f := newFixture(t, "eng")
	page := textPage(t, pageLines)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	_, _, err := f.in.Ingest(ctx, bytes.NewReader(multiTIFF(page, page, page)),
		archive.Metadata{Filename: "three.tif"})

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ingest with a context that ends during OCR: %v", err)
	}
	if r, p := f.countRows(t); r != 0 || p != 0 {
		t.Errorf("%d records and %d pages left after cancelling", r, p)
	}
}

func TestIndexFailureKeepsRecord(t *testing.T) {
	f := newFixture(t, "eng")
	f.index.err = errors.New("index is closed")

	page := encodePNG(t, textPage(t, pageLines))
	rec, _, err := f.in.Ingest(context.Background(), bytes.NewReader(page), archive.Metadata{})

	if err == nil || !strings.Contains(err.Error(), "index is closed") {
		t.Fatalf("Ingest with a failing index: %v", err)
	}
	if _, err := f.store.RecordByID(context.Background(), rec.ID); err != nil {
		t.Errorf("record %q is gone after the index failed: %v", rec.ID, err)
	}

	// The same file again, as a resumed import or a second upload brings
	// it, indexes the record's pages that its first import did not.
	f.index.err, f.index.pages = nil, nil
	again, existed, err := f.in.Ingest(context.Background(), bytes.NewReader(page),
		archive.Metadata{})
	if err != nil || !existed || again.ID != rec.ID {
		t.Fatalf("the file again: %s, %v, %v", again.ID, existed, err)
	}
	if p := f.lastIndexed(t, rec.ID); p.Number != 1 || !strings.Contains(p.Text, "ARCHIVE") {
		t.Errorf("the page indexed again: %+v", p)
	}
}

func TestOCRMissing(t *testing.T) {
	tests := []struct {
		name      string
		ocr       archive.OCR
		languages []string
		key, says string
	}{
		{"no tesseract", archive.Tesseract{Path: "/nonexistent/tesseract"}, nil,
			"archive.ocr_missing", "Debian package tesseract-ocr"},
		{"no language pack", nil, []string{"xyz"},
			"archive.ocr_language_missing", "Debian package tesseract-ocr-xyz"},
		// Tesseract would read in English alone, and say so only on stderr.
		{"one language pack of two", nil, []string{"eng", "xyz"},
			"archive.ocr_language_missing", "Debian package tesseract-ocr-xyz"},
		// Checked once and found, and then not there for a page: the read
		// itself is refused, not taken in English alone.
		{"a language gone after the check", uncheckedOCR{}, []string{"eng", "xyz"},
			"archive.ocr_language_missing", "tesseract-ocr-<language>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.languages...)
			f.in.OCR = tt.ocr

			_, _, err := f.in.Ingest(context.Background(),
				bytes.NewReader(encodePNG(t, textPage(t, pageLines))), archive.Metadata{})

			se := wantKind(t, err, sijil.Unavailable, tt.key)
			if !strings.Contains(se.Message, tt.says) {
				t.Errorf("message %q does not name %q", se.Message, tt.says)
			}
		})
	}
}

// uncheckedOCR is the real Tesseract whose check finds every language,
// as a check a minute old may (see Tesseract.Check).
type uncheckedOCR struct{ archive.Tesseract }

func (uncheckedOCR) Check(context.Context, []string) error { return nil }

// panickingOCR is the real Tesseract whose Read panics, as a buggy engine
// binding might.
type panickingOCR struct{ archive.Tesseract }

func (panickingOCR) Read(context.Context, string, []string) (archive.Reading, error) {
	panic("engine bug")
}

func TestPagePanicBecomesError(t *testing.T) {
	f := newFixture(t, "eng")
	f.in.OCR = panickingOCR{}

	_, _, err := f.in.Ingest(context.Background(),
		bytes.NewReader(encodePNG(t, textPage(t, pageLines))), archive.Metadata{})

	if err == nil || !strings.Contains(err.Error(), "engine bug") {
		t.Fatalf("Ingest with a panicking page: %v", err)
	}
	if r, p := f.countRows(t); r != 0 || p != 0 {
		t.Errorf("%d records and %d pages left after a panic", r, p)
	}
}
