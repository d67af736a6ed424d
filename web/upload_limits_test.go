package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// multipartBody is a form of fields, in order, and a file file of name
// name; contentType names its boundary.
func multipartBody(t *testing.T, fields [][2]string, input, name string,
	file []byte) (contentType, body string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if input != "" {
		w, err := mw.CreateFormFile(input, name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(file)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.String()
}

// TestCitizenFormTextIsBoundAsAWhole pins a review's finding: each text
// field of a citizen's form with files was capped, but not their number,
// so a form of a thousand fields, all held and echoed back, passed up to
// the body's limit (megabytes). The form's text as a whole is bounded,
// refused with a message the citizen reads.
func TestCitizenFormTextIsBoundAsAWhole(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)

	var fields [][2]string
	for i := range 100 {
		fields = append(fields, [2]string{"extra" + strconv.Itoa(i), strings.Repeat("x", 1<<10)})
	}
	ctype, body := multipartBody(t, fields, "", "", nil)
	r := b.postRaw("/requests/new/copy", ctype, body)
	if r.status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(r.body, "نص النموذج أطول مما يُقبل") {
		t.Errorf("a form of 100 KiB of text: %d, want 413 saying it is too long", r.status)
	}
	if len(r.body) > 80<<10 {
		t.Errorf("the refusal echoes %d bytes of the form back", len(r.body))
	}
}

// TestArchiveUploadFieldIsNotSavedCut pins a review's finding: an upload
// form field past 64 KiB was cut there and the record archived with the
// cut text. It is refused, and nothing is archived.
func TestArchiveUploadFieldIsNotSavedCut(t *testing.T) {
	p, b := archivistAt(t)
	b.lang = "en"
	ctype, body := multipartBody(t, [][2]string{{"record_type", "building_permit"},
		{"title", strings.Repeat("ع", 40<<10)}}, "file", "permit.tif",
		testScan(t, "twelve-pages.tif"))
	r := b.postRaw("/archive/upload", ctype, body)
	if r.status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(r.body, "A field is too long") {
		t.Errorf("a title of 80 KiB: %d, want 413 saying a field is too long", r.status)
	}
	var n int
	if err := p.office.DB.QueryRow(`SELECT count(*) FROM records`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d records archived from a form whose title was too long", n)
	}
}
