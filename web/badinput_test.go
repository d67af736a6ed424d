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
