package certs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/verify"
)

// need fails the test when a command-line tool is missing: these tests
// are the proof that the PDF works in real viewers, so they never skip.
func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install poppler-utils, zbar-tools and tesseract-ocr "+
				"(make deps)", tool)
		}
	}
}

// writePDF writes pdf to a temporary file, and to $SIJIL_PDF_DIR when set,
// so that its layout can be looked at.
func writePDF(t testing.TB, name string, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SIJIL_PDF_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// pdfText returns pdftotext's text of the PDF with bidi controls and
// joiners removed and every run of white space made one space, as a reader
// copying the text would compare it: a value wrapped in its cell reads on.
func pdfText(t testing.TB, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Map(func(r rune) rune {
		switch {
		case r == 0x200c || r == 0x200d || r == 0x200e || r == 0x200f || r == 0x061c:
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, string(out))
	return strings.Join(strings.Fields(text), " ")
}

// assertText checks that every string is in the text in logical order.
func assertText(t testing.TB, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext lacks %q:\n%s", w, text)
		}
	}
}

// pageQRs renders every page at 150 dpi, as a phone photographing a
// printout would see it at best, and returns the QR text zbarimg reads on
// each.
func pageQRs(t testing.TB, path string) []string {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", path,
		prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(prefix + "*.png")
	slices.Sort(pages)
	texts := make([]string, len(pages))
	for i, p := range pages {
		out, err := exec.Command("zbarimg", "--raw", "-q", p).Output()
		if err != nil {
			t.Errorf("page %d: zbarimg found no QR code in the 150-dpi render: %v", i+1, err)
		}
		texts[i] = strings.TrimSpace(string(out))
	}
	return texts
}

// assertSigned checks the PDF signature with poppler, whose verdict is in
// its words only.
func assertSigned(t testing.TB, path string) {
	t.Helper()
	out, err := exec.Command("pdfsig", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig does not say the signature is valid:\n%s", out)
	}
}

// checkPDF verifies the PDF offline, as `sijil verify` does.
func checkPDF(t testing.TB, v *verify.Verifier, pdf []byte) verify.Result {
	t.Helper()
	_, res := v.CheckPDF(pdf)
	if res.Status != verify.StatusValid || !res.ContentChecked {
		t.Fatalf("CheckPDF: %+v", res)
	}
	return res
}
