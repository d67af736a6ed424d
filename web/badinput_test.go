package web_test

import (
	"context"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/web"
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

// TestFieldAfterTheFileIsRefused: a script that sends the description
// after the file had its scan archived without it, silently. It is now
// refused, saying to send the fields first, and nothing is archived.
func TestFieldAfterTheFileIsRefused(t *testing.T) {
	p, b := archivistAt(t)
	b.lang = "ar"
	body := "--XX\r\nContent-Disposition: form-data; name=\"file\"; " +
		"filename=\"permit.tif\"\r\nContent-Type: image/tiff\r\n\r\n" +
		string(testScan(t, "building-administration.tif")) +
		"\r\n--XX\r\nContent-Disposition: form-data; name=\"reference\"\r\n\r\n" +
		"4517/1998\r\n--XX--\r\n"

	r := b.postRaw("/archive/upload", "multipart/form-data; boundary=XX", body)
	if r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, "وصلت حقول النموذج بعد ملفه فلم تُقرأ؛ أرسلها قبل الملف.") {
		t.Errorf("a field after the file: %d, want 400 saying to send it first", r.status)
	}
	var n int
	if err := p.office.DB.QueryRow(`SELECT count(*) FROM records`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d records were archived without the fields sent after the file", n)
	}
}

// TestCertificateRefusalsAreTranslated: what the certificate issuer
// refuses at approval (a draft with no plot number, dated in the future,
// or naming someone in letters its font lacks) and a revocation sent twice (a second tab, a double click) were
// shown to an Arabic reader in the issuer's English, naming its JSON
// fields ("plot is required").
// TestCertificateRefusalsAreTranslated: the issuer refused drafts the
// draft check let through (no plot, facts dated in the future, a name its
// font cannot print), and the supervisor learnt of it at approval, atop
// the page. The draft is now refused when the clerk submits it, next to
// the field at fault, in Arabic and in English, and stays in review.
func TestCertificateRefusalsAreTranslated(t *testing.T) {
	p, o := officePortal(t)
	citizen, ref := submitBuilding(t, p, o, 1)
	page := "/office/requests/" + ref
	clerk := p.browser(t)
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)
	sup := p.browser(t)
	sup.signInStaff(p, "supervisor", accounts.RoleSupervisor)

	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	good := buildingDraft(citizen)
	for _, c := range []struct {
		name, field, value string
		errID, ar, en      string // the error beside the field
	}{
		{"without a plot", "draft_plot", "", "err-draft_plot", "حقل تحتاجه الإفادة فارغ",
			"A field the certificate needs is empty"},
		{"without a street", "draft_street", "", "err-draft_street",
			"حقل تحتاجه الإفادة فارغ", "A field the certificate needs is empty"},
		{"dated in the future", "draft_as_of", "2999-01-01", "err-draft_as_of",
			"لا يمكن أن يكون تاريخ الوقائع في المستقبل",
			"The date of the facts cannot be in the future"},
		{"with a malformed date", "draft_as_of", "1/10/2023", "err-draft_as_of",
			"تاريخ الوقائع يُكتب بالشكل سنة-شهر-يوم",
			"The date of the facts is written YYYY-MM-DD"},
		{"with a floor of 0 m²", "floor_area", "0", "err-floors",
			"مساحة كل طابق عدد موجب", "Each floor's area is a positive number"},
		{"with a floor of -5 m²", "floor_area", "-5", "err-floors",
			"مساحة كل طابق عدد موجب", "Each floor's area is a positive number"},
		{"whose font cannot print the name", "draft_holder_name", "حداد 中",
			"err-draft_holder_name", "حرف لا يمكن طباعته بخطها",
			"holds a character its font cannot print"},
		{"with an emoji in the street", "draft_street", "شارع البحر 🌊", "err-draft_street",
			"حرف لا يمكن طباعته بخطها", "holds a character its font cannot print"},
	} {
		draft := url.Values{}
		maps.Copy(draft, good)
		draft.Set(c.field, c.value)
		for _, lang := range []string{"ar", "en"} {
			clerk.lang = lang
			want := map[string]string{"ar": c.ar, "en": c.en}[lang]
			r := clerk.post(page+"/draft", draft)
			if got := fieldError(r, c.errID); r.status != http.StatusBadRequest ||
				!strings.Contains(got, want) {
				t.Errorf("a draft %s (%s): %d, beside its field %q; want 400 saying %q",
					c.name, lang, r.status, got, want)
			}
			if c.errID != "err-floors" && !strings.Contains(r.body,
				`aria-describedby="`+c.errID+`"`) {
				t.Errorf("a draft %s (%s): the field is not marked invalid", c.name, lang)
			}
			// What was typed stays for the clerk to correct.
			if c.value != "" && !strings.Contains(r.body, `value="`+c.value+`"`) {
				t.Errorf("a draft %s (%s): the typed %q is gone", c.name, lang, c.value)
			}
		}
		if st := requestState(t, o, ref); st != requests.StateInReview {
			t.Errorf("after a draft %s: the request is %s, want still in review", c.name, st)
		}
	}

	clerk.lang = "ar"
	mustRedirect(t, clerk.post(page+"/draft", good), page+"?done=drafted")
	mustRedirect(t, sup.post(page+"/approve", nil), page+"?done=approved")
	if st := requestState(t, o, ref); st != requests.StateIssued {
		t.Fatalf("after approving a good draft: %s, want issued", st)
	}
	revoke := url.Values{"reason": {"issued_in_error"}, "note": {"خطأ"}}
	mustRedirect(t, sup.post(page+"/revoke", revoke), page+"?done=revoked")
	r := sup.post(page+"/revoke", revoke)
	if got := formError(r); r.status != http.StatusConflict ||
		!strings.Contains(got, "ألغيت هذه الإفادة أو استُبدلت من قبل") {
		t.Errorf("revoking twice: %d %q, want 409 in Arabic", r.status, got)
	}
}

// fieldError is the problem a form page shows beside the field whose
// error has the id.
func fieldError(r response, id string) string {
	m := regexp.MustCompile(`class="field-error" id="` + regexp.QuoteMeta(id) +
		`">([^<]*)<`).FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// requestState is the state of the request ref, as the office sees it.
func requestState(t *testing.T, o web.Office, ref string) requests.State {
	t.Helper()
	r, err := o.Requests.Request(context.Background(),
		requests.Staff("test-reader", requests.RoleSupervisor), ref)
	if err != nil {
		t.Fatal(err)
	}
	return r.State
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
