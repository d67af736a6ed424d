package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
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

// TestCertificateRefusalsAreTranslated: what the certificate issuer
// refuses at approval (a draft with no plot number, dated in the future,
// or naming someone in letters its font lacks) and a revocation sent twice (a second tab, a double click) were
// shown to an Arabic reader in the issuer's English, naming its JSON
// fields ("plot is required").
func TestCertificateRefusalsAreTranslated(t *testing.T) {
	p, o := officePortal(t)
	citizen, ref := submitBuilding(t, p, o, 1)
	page := "/office/requests/" + ref
	clerk := p.browser(t)
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)
	sup := p.browser(t)
	sup.signInStaff(p, "supervisor", accounts.RoleSupervisor)

	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	draft := url.Values{"drafting": {"1"}, "kind": {"building_certificate"},
		"link_record": {"rec_a"}, "link_pages": {"1"},
		"draft_holder_name": {citizen.FullName}, "draft_holder_id": {citizen.NationalID},
		"draft_parcel": {"1234"}, "draft_neighbourhood": {"الرمال"},
		"draft_street": {"شارع عمر المختار"}, "draft_zoning_status": {"مرخص سكني"},
		"draft_as_of": {"2023-10-01"},
		"floor_level": {"الأرضي"}, "floor_area": {"180"}, "floor_use": {"تجاري"}}
	for _, c := range []struct{ name, field, value, want string }{
		{"no plot", "draft_plot", "", "حقل تحتاجه الإفادة فارغ"},
		{"dated in the future", "draft_as_of", "2999-01-01",
			"لا يمكن أن يكون تاريخ الوقائع في المستقبل"},
		{"whose font cannot print a name", "draft_holder_name", "حداد 中",
			"حرف لا يمكن طباعته بخطها"},
	} {
		draft.Set("draft_plot", "56")
		draft.Set("draft_as_of", "2023-10-01")
		draft.Set(c.field, c.value)
		mustRedirect(t, clerk.post(page+"/draft", draft), page+"?done=drafted")
		r := sup.post(page+"/approve", nil)
		if got := formError(r); r.status != http.StatusBadRequest ||
			!strings.Contains(got, c.want) {
			t.Errorf("approving a draft %s: %d %q, want 400 saying %q", c.name, r.status,
				got, c.want)
		}
		mustRedirect(t, sup.post(page+"/return", url.Values{"note": {"صحّح المسودة"}}),
			page+"?done=returned")
	}

	draft.Set("draft_holder_name", citizen.FullName)
	mustRedirect(t, clerk.post(page+"/draft", draft), page+"?done=drafted")
	mustRedirect(t, sup.post(page+"/approve", nil), page+"?done=approved")
	revoke := url.Values{"reason": {"issued_in_error"}, "note": {"خطأ"}}
	mustRedirect(t, sup.post(page+"/revoke", revoke), page+"?done=revoked")
	r := sup.post(page+"/revoke", revoke)
	if got := formError(r); r.status != http.StatusConflict ||
		!strings.Contains(got, "ألغيت هذه الإفادة أو استُبدلت من قبل") {
		t.Errorf("revoking twice: %d %q, want 409 in Arabic", r.status, got)
	}
}

// formError is the refusal a form page shows above its form.
func formError(r response) string {
	m := regexp.MustCompile(`<p class="error" role="alert" id="form-error">([^<]*)</p>`).
		FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestBrokenOfficeFormIsTranslated: an office form whose URL encoding is
// broken is refused, and the refusal was in English on an Arabic page:
// web.bad_form had no catalog text.
func TestBrokenOfficeFormIsTranslated(t *testing.T) {
	p, o := officePortal(t)
	_, ref := submitBuilding(t, p, o, 1)
	clerk := p.browser(t)
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)

	for _, step := range []string{"ask", "draft"} {
		r := clerk.postRaw("/office/requests/"+ref+"/"+step,
			"application/x-www-form-urlencoded", "note=%zz")
		if r.status != http.StatusBadRequest ||
			!strings.Contains(r.body, "تعذّرت قراءة النموذج؛ أرسله مرة أخرى.") {
			t.Errorf("%s with a broken form: %d, want 400 in Arabic", step, r.status)
		}
	}
}
