package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/certs/render"
)

// sijilBin is the binary under test, built once by TestMain.
var sijilBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sijil-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sijilBin = filepath.Join(dir, "sijil")
	build := exec.Command("go", "build", "-o", sijilBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build sijil:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireTools fails (never skips) when a tool the test needs is missing,
// naming the Debian package that brings it.
func requireTools(t *testing.T) {
	t.Helper()
	for tool, pkg := range map[string]string{
		"tesseract": "tesseract-ocr", "pdftoppm": "poppler-utils",
		"pdftotext": "poppler-utils", "pdfsig": "poppler-utils", "zbarimg": "zbar-tools",
	} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: install the Debian package %s (make deps)", tool, pkg)
		}
	}
}

// sijil runs the binary and returns its stdout; it fails the test unless
// the exit code is wantCode.
func sijil(t *testing.T, wantCode int, args ...string) string {
	t.Helper()
	cmd := exec.Command(sijilBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("sijil %v: %v", args, err)
	}
	if code != wantCode {
		t.Fatalf("sijil %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s",
			args, code, wantCode, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestEndToEnd(t *testing.T) {
	requireTools(t)
	data := t.TempDir()
	work := t.TempDir()
	port := freePort(t)
	publicURL := "http://127.0.0.1:" + port

	// A scan the project makes itself: a pre-war permit, rendered to PDF.
	scan := filepath.Join(work, "permit.pdf")
	writePermitScan(t, scan)
	out := sijil(t, 0, "ingest", "--data", data, "--type", "building_permit", scan)
	recordID := strings.Fields(out)[0]
	again := sijil(t, 0, "ingest", "--data", data, scan)
	if !strings.Contains(again, "already archived") || !strings.HasPrefix(again, recordID) {
		t.Errorf("re-ingest should be a no-op on %s, got %q", recordID, again)
	}
	// Said of otherwise, the record keeps its type, and the command says so.
	if again := sijil(t, 0, "ingest", "--data", data, "--type", "deed", scan); !strings.Contains(
		again, "its record says otherwise of record_type, which was not applied") {
		t.Errorf("re-ingest described otherwise says %q", again)
	}

	hits := searchJSON(t, data, "رخصه البناء")
	if len(hits) == 0 || hits[0]["record_id"] != recordID {
		t.Fatalf("search for the permit: want record %s first, got %v", recordID, hits)
	}

	pdf := issueBuilding(t, data, work, publicURL, recordID)
	assertPDFText(t, pdf, "محمّد أحمد الخطيب", "الرمال")
	qrText := decodeQR(t, pdf, work)
	if !strings.HasPrefix(qrText, strings.ToUpper(publicURL)+"/V/") {
		t.Fatalf("QR text %q is not a verify URL under %s", qrText, publicURL)
	}

	startServe(t, data, port, publicURL)
	res := getJSON(t, qrText)
	if res["status"] != "valid" || res["content_checked"] != true {
		t.Fatalf("verify %s: want valid with content checked, got %v", qrText, res)
	}
	page := getHTML(t, qrText)
	for _, want := range []string{"محمّد أحمد الخطيب", "••••••782", "الرمال", "165.5"} {
		if !strings.Contains(page, want) {
			t.Errorf("verify page lacks %q", want)
		}
	}
	if strings.Contains(page, "123456782") {
		t.Error("verify page shows the national ID in clear")
	}

	tampered := tamper(qrText)
	if res := getJSON(t, tampered); res["status"] != "invalid" || res["reason"] == "" {
		t.Errorf("tampered token: want invalid with a reason, got %v", res)
	}

	keys := filepath.Join(work, "keys.json")
	if err := os.WriteFile(keys, []byte(sijil(t, 0, "keys", "export", "--data", data)),
		0o644); err != nil {
		t.Fatal(err)
	}
	if out := sijil(t, 0, "verify", "--keys", keys, pdf); !strings.HasPrefix(out, "VALID") {
		t.Errorf("offline verify of the PDF: %q", out)
	}
	sijil(t, 0, "verify", "--keys", keys, qrText)
	assertPDFSignature(t, pdf, "Signature is Valid")
	forged := filepath.Join(work, "forged.pdf")
	changeOneByte(t, pdf, forged)
	assertPDFSignature(t, forged, "Digest Mismatch")
	if out := sijil(t, 1, "verify", "--keys", keys, forged); !strings.Contains(out,
		"INVALID") {
		t.Errorf("offline verify of a PDF changed after signing: %q", out)
	}
	if out := sijil(t, 1, "verify", "--keys", keys, tampered); !strings.Contains(out,
		"INVALID") {
		t.Errorf("offline verify of a tampered token: %q", out)
	}

	issueCraftAndCopy(t, data, work, publicURL, keys, recordID)
}

// issueCraftAndCopy issues a craft certificate citing the permit and a
// certified copy of it, and verifies both offline and on the verify page.
func issueCraftAndCopy(t *testing.T, data, work, publicURL, keys, recordID string) {
	t.Helper()
	craft := issueKind(t, data, work, publicURL, "craft", map[string]any{
		"shop_name": "محل النجارة الحديثة", "licence_no": "4521/1987",
		"holder_name": "خالد يوسف العطار", "holder_id": "123456782",
		"neighbourhood": "الشجاعية", "street": "شارع صلاح الدين",
		"activity": "نجارة الأثاث المنزلي", "from_year": 1987, "to_year": 2023,
		"records": []string{recordID},
	})
	assertPDFText(t, craft, "إفادة حرفة", "محل النجارة الحديثة", "خالد يوسف العطار",
		"نجارة الأثاث المنزلي", "1987", "2023", recordID)
	copyPDF := issueKind(t, data, work, publicURL, "copy", map[string]any{
		"record": recordID, "holder_name": "أحمد محمود الخطيب", "holder_id": "123456782",
	})
	// The cover names the record's type in words, never the archive's code.
	assertPDFText(t, copyPDF, "صورة طبق الأصل", recordID, "permit.pdf", "رخصة بناء",
		"Building permit", "Certified copy · page 1 of 1")

	for _, tc := range []struct {
		pdf, kind string
		pages     int
		page      []string // on the verify page and in sijil verify's output
	}{
		{craft, "craft", 1, []string{"محل النجارة الحديثة", "الشجاعية", "••••••782"}},
		{copyPDF, "copy", 2, []string{recordID, "permit.pdf", "••••••782"}},
	} {
		qrs := decodeQRs(t, tc.pdf, work)
		if len(qrs) != tc.pages {
			t.Fatalf("%s: %d pages with a QR code, want %d", tc.kind, len(qrs), tc.pages)
		}
		url := strings.Split(qrs[0], "\n")[0]
		if !strings.HasPrefix(url, strings.ToUpper(publicURL)+"/V/") {
			t.Fatalf("%s: QR %q is not a verify URL", tc.kind, url)
		}
		for i, qr := range qrs {
			// A copied page shows the original's own codes too (the permit
			// carries one): the certificate's must be among them.
			if !slices.Contains(strings.Split(qr, "\n"), url) {
				t.Errorf("%s page %d: QR codes %q, want %q among them", tc.kind, i+1, qr, url)
			}
		}
		assertPDFSignature(t, tc.pdf, "Signature is Valid")
		out := sijil(t, 0, "verify", "--keys", keys, tc.pdf)
		if !strings.HasPrefix(out, "VALID: genuine "+tc.kind) {
			t.Errorf("offline verify of the %s PDF: %q", tc.kind, out)
		}
		page := getHTML(t, url)
		for _, want := range tc.page {
			if !strings.Contains(out, want) {
				t.Errorf("sijil verify of the %s lacks %q:\n%s", tc.kind, want, out)
			}
			if !strings.Contains(page, want) {
				t.Errorf("verify page of the %s lacks %q", tc.kind, want)
			}
		}
		if strings.Contains(page, "123456782") || strings.Contains(out, "123456782") {
			t.Errorf("verifying the %s shows the national ID in clear", tc.kind)
		}
	}
}

// issueKind writes the facts as JSON and issues a certificate of the kind.
func issueKind(t *testing.T, data, work, publicURL, kind string, facts map[string]any) string {
	t.Helper()
	from := filepath.Join(work, kind+".json")
	b, _ := json.Marshal(facts)
	if err := os.WriteFile(from, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(work, kind+".pdf")
	sijil(t, 0, "issue", "--data", data, "--public-url", publicURL, "--kind", kind,
		"--from", from, "--out", pdf)
	return pdf
}

// decodeQRs returns the QR text zbarimg reads on each page at 150 dpi.
func decodeQRs(t *testing.T, pdf, work string) []string {
	t.Helper()
	return certstest.PageQRs(t, pdf)
}

// assertPDFSignature reads pdfsig's verdict: it exits 0 even on a digest
// mismatch, so only its words tell.
func assertPDFSignature(t *testing.T, pdf, want string) {
	t.Helper()
	if out := certstest.PDFSig(t, pdf); !strings.Contains(out, want) {
		t.Errorf("pdfsig %s does not say %q:\n%s", filepath.Base(pdf), want, out)
	}
}

// changeOneByte copies a PDF with one byte of its first page's stream
// changed, as a forger editing the printed facts would.
func changeOneByte(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("stream\n")) + 20
	b[i] ^= 0x01
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tamper changes one character of the token in a verify URL, keeping it
// in the base32 alphabet.
func tamper(url string) string {
	i := len(url) - 10
	c := byte('A')
	if url[i] == 'A' {
		c = 'B'
	}
	return url[:i] + string(c) + url[i+1:]
}

func writePermitScan(t *testing.T, path string) {
	t.Helper()
	r, err := render.New("", "")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := r.Sheet(render.Sheet{
		Header: []string{"بلدية المدينة"},
		Title:  "رخصة البناء",
		Fields: []render.Field{
			{Label: "رقم الرخصة", Value: "4517/1998"},
			{Label: "اسم المالك", Value: "أحمد محمود الخطيب"},
		},
		Notes:  []string{"يسمح للمالك ببناء عمارة سكنية من ثلاثة طوابق."},
		QRText: "PERMIT-4517",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

func searchJSON(t *testing.T, data, query string) []map[string]any {
	t.Helper()
	out := sijil(t, 0, "search", "--data", data, "--json", query)
	var hits []map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var h map[string]any
		if err := dec.Decode(&h); err != nil {
			t.Fatalf("search --json printed %q: %v", out, err)
		}
		for _, k := range []string{"record_id", "page", "score", "snippet"} {
			if _, ok := h[k]; !ok {
				t.Errorf("search hit lacks %q: %v", k, h)
			}
		}
		hits = append(hits, h)
	}
	return hits
}

func issueBuilding(t *testing.T, data, work, publicURL, recordID string) string {
	t.Helper()
	facts := map[string]any{
		"holder_name": "محمّد أحمد الخطيب", "holder_id": "123456782",
		"parcel": "1234", "plot": "56", "neighbourhood": "الرمال",
		"street": "شارع عمر المختار", "zoning_status": "مرخّص — سكني", "as_of": "2023-10-01",
		"floors": []map[string]any{
			{"level": "الأرضي", "area_m2": 180, "use": "تجاري"},
			{"level": "الأول", "area_m2": 165.5, "use": "سكني"},
		},
		"records": []string{recordID},
	}
	from := filepath.Join(work, "facts.json")
	b, _ := json.Marshal(facts)
	if err := os.WriteFile(from, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(work, "certificate.pdf")
	out := sijil(t, 0, "issue", "--data", data, "--public-url", publicURL,
		"--kind", "building", "--from", from, "--out", pdf)
	if id := strings.TrimSpace(out); len(id) != 19 {
		t.Errorf("issue printed %q, want a certificate id like ABCD-EFGH-IJKL-MNOP", out)
	}
	return pdf
}

// assertPDFText checks that pdftotext gives each string in logical order,
// once bidi controls and joiners are removed.
func assertPDFText(t *testing.T, pdf string, want ...string) {
	t.Helper()
	text := certstest.PDFText(t, pdf)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext of the certificate lacks %q:\n%s", w, text)
		}
	}
}

func decodeQR(t *testing.T, pdf, work string) string {
	t.Helper()
	qrs := certstest.PageQRs(t, pdf)
	if len(qrs) == 0 {
		t.Fatal("the PDF has no pages")
	}
	return qrs[0]
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// startServe runs `sijil serve` until the test ends and waits until it
// answers.
func startServe(t *testing.T, data, port, publicURL string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, sijilBin, "serve", "--data", data,
		"--addr", "127.0.0.1:"+port, "--public-url", publicURL)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("sijil serve output:\n%s", logs.String())
		}
	})

	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(publicURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("sijil serve did not answer on %s:\n%s", publicURL, logs.String())
}

func get(t *testing.T, url, accept string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%s", url, resp.StatusCode, err, body)
	}
	return body
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(get(t, url, "application/json"), &v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return v
}

func getHTML(t *testing.T, url string) string {
	t.Helper()
	return string(get(t, url, "text/html"))
}
