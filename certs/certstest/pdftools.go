package certstest

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// PDFText returns pdftotext's text of the PDF with bidi controls and
// joiners removed and every run of white space made one space, as a reader
// copying the text would compare it: a value wrapped in its cell reads on.
func PDFText(tb testing.TB, path string) string {
	tb.Helper()
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext (Debian package poppler-utils): %v", err)
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

// PageQRs renders every page at 150 dpi, as a phone photographing a
// printout would see it at best, and returns the QR text zbarimg reads on
// each page (all codes of a page, one a line).
func PageQRs(tb testing.TB, path string) []string {
	tb.Helper()
	prefix := filepath.Join(tb.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", path,
		prefix).CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(prefix + "*.png")
	slices.Sort(pages)
	texts := make([]string, len(pages))
	for i, p := range pages {
		// Only QR, as a verifier's phone reads: zbarimg's 1D decoders now and
		// then take a line of an embedded scan for a barcode.
		out, err := exec.Command("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
			p).Output()
		if err != nil {
			tb.Errorf("%s page %d: zbarimg found no QR code in the 150-dpi render: %v",
				filepath.Base(path), i+1, err)
		}
		texts[i] = strings.TrimSpace(string(out))
	}
	return texts
}

// PDFSig returns poppler's verdict on the PDF's signatures. pdfsig exits 0
// even on a digest mismatch, so callers must read its words.
func PDFSig(tb testing.TB, path string) string {
	tb.Helper()
	out, err := exec.Command("pdfsig", path).CombinedOutput()
	if err != nil {
		tb.Fatalf("pdfsig: %v\n%s", err, out)
	}
	return string(out)
}
