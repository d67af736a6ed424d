package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// postRaw sends body as it is, with contentType, from one of the site's
// own pages: what a broken client or a hand-made request sends.
func (b *browser) postRaw(path, contentType, body string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// TestBrokenCitizenFormIsRefused: a citizen's form whose URL encoding is
// broken (a % not followed by two hex digits) is the sender's mistake; it
// was a 500 "something went wrong on our side".
func TestBrokenCitizenFormIsRefused(t *testing.T) {
	p, svc := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)
	ref, _ := askedRequest(t, p, svc, b, "أي سنة؟")

	for _, path := range []string{"/requests/new/copy", "/tickets/new",
		"/requests/" + ref + "/answer"} {
		r := b.postRaw(path, "application/x-www-form-urlencoded",
			"document_type=%zz&answer=%zz&text=%zz")
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, r.status)
		}
		r.mustContain(t, "تعذّرت قراءة النموذج؛ أرسله مرة أخرى.")
	}
}

// TestCutShortUploadIsRefused: an upload whose body ends before its last
// boundary (a dropped connection, a client that gave up) was a 500; the
// archivist is told to send the form again, and nothing is archived.
func TestCutShortUploadIsRefused(t *testing.T) {
	p, b := archivistAt(t)
	b.lang = "ar"
	const multipart = "multipart/form-data; boundary=XX"
	field := "--XX\r\nContent-Disposition: form-data; name=\"record_type\"\r\n\r\n" +
		"building_permit"
	file := field + "\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; " +
		"filename=\"permit.tif\"\r\nContent-Type: image/tiff\r\n\r\n" +
		string(testScan(t, "twelve-pages.tif")[:1000])

	for name, body := range map[string]string{"in a field": field, "in the file": file} {
		r := b.postRaw("/archive/upload", multipart, body)
		if r.status != http.StatusBadRequest ||
			!strings.Contains(r.body, "تعذّرت قراءة النموذج؛ أرسله مرة أخرى.") {
			t.Errorf("cut short %s: %d, want 400 saying the form could not be read", name,
				r.status)
		}
	}
	if recs, err := p.office.DB.Query(`SELECT id FROM records`); err != nil {
		t.Fatal(err)
	} else {
		defer recs.Close()
		if recs.Next() {
			t.Error("a record was archived from an upload cut short")
		}
	}
}
