package certs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/certs/certstest"
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

func pdfText(t testing.TB, path string) string { return certstest.PDFText(t, path) }

// assertText checks that every string is in the text in logical order.
func assertText(t testing.TB, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext lacks %q:\n%s", w, text)
		}
	}
}

func pageQRs(t testing.TB, path string) []string { return certstest.PageQRs(t, path) }

// assertSigned checks the PDF signature with poppler.
func assertSigned(t testing.TB, path string) {
	t.Helper()
	if out := certstest.PDFSig(t, path); !strings.Contains(out, "Signature is Valid") {
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
