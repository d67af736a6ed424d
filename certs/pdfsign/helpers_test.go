package pdfsign_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/certs/pdfsign"
	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/verify"
)

// now is the tests' clock; certificates are valid around the real time
// too, because the CMS signing-time attribute is the wall clock.
var now = time.Now().UTC().Truncate(time.Second)

// need fails the test when a tool is missing: these tools are the proof
// that other PDF software accepts the signature, so the tests never skip.
func need(t testing.TB, tool, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s not found: install the Debian package %s", tool, pkg)
	}
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// pdfsig returns poppler's report on the file. It exits 0 even when a
// digest does not match, so callers must read the output.
func pdfsig(t testing.TB, path string, args ...string) string {
	t.Helper()
	need(t, "pdfsig", "poppler-utils")
	return run(t, "pdfsig", append(args, path)...)
}

func write(t testing.TB, name string, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// inputs returns a certificate page as Sijil's own writer makes it (a
// classic cross-reference table) and after pdfcpu has embedded the
// certificate data (a cross-reference stream and object streams).
func inputs(t testing.TB, attachment []byte) map[string][]byte {
	t.Helper()
	r, err := render.New("", "")
	if err != nil {
		t.Fatal(err)
	}
	page, err := r.Sheet(render.Sheet{
		Header: []string{"بلدية المدينة"}, Title: "شهادة وضع بناء",
		TitleEn: "Building Status Certificate", QRText: "HTTPS://SIJIL.EXAMPLE.ORG/V/ABC",
	})
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := verify.EmbedContent(page, attachment, "HTTPS://SIJIL.EXAMPLE.ORG/V/ABC")
	if err != nil {
		t.Fatal(err)
	}

	if !bytes.Contains(page, []byte("\nxref\n")) {
		t.Fatal("render no longer writes a cross-reference table: pick another table input")
	}
	if !bytes.Contains(embedded, []byte("/Type/XRef")) {
		t.Fatal("pdfcpu no longer writes a cross-reference stream: pick another stream input")
	}
	return map[string][]byte{"table": page, "stream": embedded}
}

// signer is a key and self-signed certificate valid around now.
func signer(t testing.TB, name string) pdfsign.Signer {
	t.Helper()
	key, cert, err := pdfsign.NewSelfSigned(name, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return pdfsign.Signer{Key: key, Cert: cert}
}

var options = pdfsign.Options{
	Reason: "إصدار شهادة — Certificate issued", Location: "Gaza (City)",
	Name: "بلدية المدينة", Time: now,
}

func sign(t testing.TB, pdf []byte, s pdfsign.Signer) []byte {
	t.Helper()
	out, err := pdfsign.Sign(pdf, s, options)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return out
}

// randomBytes pads a PDF with incompressible data to a realistic size.
func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
