package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/web"
)

// officePortal is a portal whose office a test can also call directly, to
// play the citizen's side and to index an archive page.
func officePortal(t *testing.T) (*portal, web.Office) {
	t.Helper()
	var office web.Office
	p := newPortal(t, func(c *web.Config) { office = c.Office })
	// The page is indexed directly instead of ingested: Tesseract would
	// spend seconds reading a scan to produce this text. rec_a is the
	// record the test office's certs knows.
	err := office.Search.Add(context.Background(), index.Page{RecordID: "rec_a", Number: 1,
		Text:       "رخصة بناء رقم 4517 للمالك أحمد الخطيب على القطعة 1234 في حي الرمال",
		RecordType: "building_permit", Reference: "4517", Title: "رخصة بناء 4517",
		Names: []string{"أحمد الخطيب"}, Parcel: "1234", Plot: "56", Neighbourhood: "الرمال",
		Year: 1998})
	if err != nil {
		t.Fatal(err)
	}
	return p, office
}

// submitBuilding is the citizen n asking for a building certificate.
func submitBuilding(t *testing.T, p *portal, o web.Office, n int) (accounts.User, string) {
	t.Helper()
	u, _ := p.env.Citizen(t, n)
	req, err := o.Requests.Submit(context.Background(), requests.Citizen(u.ID),
		&requests.BuildingForm{Parcel: "1234", Plot: "56", Neighbourhood: "الرمال",
			Owner: u.FullName, ApproxYear: "1998", Purpose: "bank"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u, req.Ref
}

func TestOfficeIssuesABuildingCertificate(t *testing.T) {
	p, o := officePortal(t)
	citizen, ref := submitBuilding(t, p, o, 1)
	page := "/office/requests/" + ref

	// The clerk finds it in the queue, takes it and starts the review.
	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk-sup", accounts.RoleClerk, accounts.RoleSupervisor)
	clerk.get("/office/queue?state=submitted").mustContain(t, ref, "Nobody yet")
	mustRedirect(t, clerk.post(page+"/take", nil), page+"?done=taken")
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	clerk.get("/office/queue?who=mine").mustContain(t, ref, "<strong>Me</strong>")

	// The archive search finds the permit. The archive holds no row for
	// rec_a, so it cannot say whether the page is restricted: its text is
	// not shown (TestOfficeSearchShowsArchiveRecords shows a match).
	r := clerk.get(page + "?q=" + url.QueryEscape("الخطيب"))
	r.mustContain(t, "rec_a", "The archive cannot read this record now",
		`name="add" value="rec_a:1"`)
	r.mustNotContain(t, "<mark>", "حي الرمال")

	// Linking page 1 keeps what was typed in the draft.
	r = clerk.post(page+"/redraw", url.Values{"drafting": {"1"},
		"kind": {"building_certificate"}, "q": {"الخطيب"}, "add": {"rec_a:1"},
		"draft_holder_name": {"typed name"}})
	r.mustContain(t, `name="link_record" value="rec_a"`, `name="link_pages" value="1"`,
		`value="typed name"`, `name="add" value="rec_a:1"`)

	// The citizen is the holder: the draft starts from their national ID,
	// which the page shows masked elsewhere, for the clerk to confirm.
	clerk.get(page).mustContain(t, `name="draft_holder_id" value="`+citizen.NationalID+`"`,
		`value="`+citizen.FullName+`"`)

	// A draft without the holder's ID is refused next to that field.
	draft := withValues(buildingDraft(citizen), url.Values{"draft_holder_id": {""},
		"floor_level": {"الأرضي", "الأول", ""}, "floor_area": {"180", "165.5", ""},
		"floor_use": {"تجاري", "سكني", ""}})
	r = clerk.post(page+"/draft", draft)
	if r.status != http.StatusBadRequest {
		t.Fatalf("draft without holder ID: %d", r.status)
	}
	r.mustContain(t, `id="err-draft_holder_id"`, `aria-invalid="true"`,
		"Correct the fields marked below", `value="165.5"`)

	// So is an ID whose check digit is wrong, before any supervisor sees it.
	draft.Set("draft_holder_id", "123456780")
	r = clerk.post(page+"/draft", draft)
	if r.status != http.StatusBadRequest {
		t.Fatalf("draft with a mistyped holder ID: %d", r.status)
	}
	r.mustContain(t, `id="err-draft_holder_id"`, "check digit does not match")

	draft.Set("draft_holder_id", citizen.NationalID)
	mustRedirect(t, clerk.post(page+"/draft", draft), page+"?done=drafted")

	// The two-person rule: who drafted cannot approve, even as a supervisor.
	r = clerk.post(page+"/approve", nil)
	if r.status != http.StatusForbidden {
		t.Fatalf("drafter approving: %d", r.status)
	}
	r.mustContain(t, "You drafted this certificate: another supervisor must approve it.")
	clerk.lang = "ar"
	clerk.post(page+"/approve", nil).mustContain(t, "يجب أن يوافق عليها مشرف آخر")
	clerk.lang = "en"

	sup := p.browser(t)
	sup.lang = "en"
	sup.signInStaff(p, "supervisor", accounts.RoleSupervisor)
	mustRedirect(t, sup.post(page+"/approve", nil), page+"?done=approved")
	r = sup.get(page + "?done=approved")
	r.mustContain(t, "Approved: the certificate was issued.", "Certificate number:",
		"/certificate.pdf")
	verifyURL := regexp.MustCompile(`href="(/V/[^"]+)"`).FindStringSubmatch(r.body)
	if verifyURL == nil {
		t.Fatalf("no verify link on the issued request:\n%s", r.body)
	}
	p.browser(t).get(verifyURL[1]).mustContain(t, `class="verdict valid"`)
	pdf := sup.get(page + "/certificate.pdf")
	if pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Errorf("certificate PDF: %d %.20q", pdf.status, pdf.body)
	}
	mustNotBeKept(t, "the certificate PDF the office opens", pdf)

	// A supervisor revokes it for a reason; it no longer verifies.
	mustRedirect(t, sup.post(page+"/revoke", url.Values{"reason": {"issued_in_error"},
		"note": {"wrong parcel"}}), page+"?done=revoked")
	sup.get(page).mustContain(t, "This certificate was revoked", "Certificate revoked",
		"Issued in error")
	p.browser(t).get(verifyURL[1]).mustContain(t, `class="verdict invalid"`)

	// The citizen is told, on the request's timeline and by a notice, that
	// the paper they hold no longer verifies; the internal note stays in.
	holder := p.browser(t)
	holder.lang = "ar"
	holder.signInAgain(citizen)
	mine := holder.get("/requests/" + ref)
	mine.mustContain(t, "أُلغيت الإفادة", "صدرت خطأً")
	mine.mustNotContain(t, "wrong parcel", "clerk.reason_")
	sent, err := p.env.Outbox.Latest(context.Background(), 1)
	if err != nil || len(sent) != 1 || sent[0].UserID != citizen.ID ||
		!strings.Contains(sent[0].Body, "no longer verifies") {
		t.Errorf("the notice of the revocation: %+v, %v", sent, err)
	}
}

func TestOfficeRejectsAndAsksForInformation(t *testing.T) {
	p, o := officePortal(t)
	citizen, asked := submitBuilding(t, p, o, 1)
	_, rejected := submitBuilding(t, p, o, 2)
	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)

	// Needs information, and the citizen's answer back in the queue.
	page := "/office/requests/" + asked
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	r := clerk.post(page+"/ask", url.Values{"note": {""}})
	if r.status != http.StatusBadRequest {
		t.Errorf("empty question: %d", r.status)
	}
	mustRedirect(t, clerk.post(page+"/ask", url.Values{"note": {"Which floor was added?"}}),
		page+"?done=asked")
	clerk.get(page).mustContain(t, "Which floor was added?")
	_, err := o.Requests.Answer(context.Background(), requests.Citizen(citizen.ID), asked,
		"The second, in 2001.", nil)
	if err != nil {
		t.Fatal(err)
	}
	clerk.get("/office/queue?state=answered").mustContain(t, asked)
	clerk.get(page).mustContain(t, "The second, in 2001.", "Submit for approval")

	// Rejected with a reason.
	page = "/office/requests/" + rejected
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	mustRedirect(t, clerk.post(page+"/reject", url.Values{"note": {"No such parcel."}}),
		page+"?done=rejected")
	r = clerk.get(page)
	r.mustContain(t, "No such parcel.")
	r.mustNotContain(t, `action="`+page+`/reject"`)
	clerk.get("/office/queue").mustNotContain(t, rejected)

	// A supervisor hands a request to a clerk, who then finds it as theirs.
	_, third := submitBuilding(t, p, o, 3)
	sup := p.browser(t)
	sup.signInStaff(p, "supervisor", accounts.RoleSupervisor)
	clerkID := p.env.Staff(t, "clerk2", accounts.RoleClerk).User.ID
	thirdPage := "/office/requests/" + third
	sup.get(thirdPage).mustContain(t, `<option value="`+clerkID+`"`)
	mustRedirect(t, sup.post(thirdPage+"/assign", url.Values{"to": {clerkID}}),
		thirdPage+"?done=assigned")
	sup.get("/office/queue?who=unassigned").mustNotContain(t, third)
	clerk.get(thirdPage).mustContain(t, "Staff clerk2")

	// The citizen's supporting file downloads from the office's page.
	var photo bytes.Buffer
	if err := pngEncode(&photo); err != nil {
		t.Fatal(err)
	}
	withFile, err := o.Requests.Submit(context.Background(), requests.Citizen(citizen.ID),
		&requests.BuildingForm{Parcel: "77", Neighbourhood: "الرمال", Owner: citizen.FullName},
		[]requests.Upload{{Name: "deed.png", Body: &photo}})
	if err != nil {
		t.Fatal(err)
	}
	filePage := "/office/requests/" + withFile.Ref
	href := regexp.MustCompile(`href="(` + filePage + `/files/[^"]+)"`).FindStringSubmatch(
		clerk.get(filePage).body)
	if href == nil {
		t.Fatal("no link to the supporting file")
	}
	if f := clerk.get(href[1]); f.status != http.StatusOK || !strings.HasPrefix(f.body,
		"\x89PNG") {
		t.Errorf("supporting file: %d %.8q", f.status, f.body)
	} else {
		mustNotBeKept(t, "a citizen's file the office opens", f)
	}

	// A clerk cannot reach a supervisor's decisions.
	for _, step := range []string{"approve", "return", "assign", "revoke", "supersede"} {
		if r := clerk.post(page+"/"+step, nil); r.status != http.StatusForbidden {
			t.Errorf("clerk posting %s: %d", step, r.status)
		}
	}
}

func TestOfficeDashboardAndTickets(t *testing.T) {
	p, o := officePortal(t)
	citizen, _ := submitBuilding(t, p, o, 1)
	submitBuilding(t, p, o, 2)
	submitBuilding(t, p, o, 3)
	tk, err := o.Requests.OpenTicket(context.Background(), requests.Citizen(citizen.ID),
		requests.TicketForm{Kind: requests.TicketComplaint, Category: "water",
			Text: "No water in our street for three days."})
	if err != nil {
		t.Fatal(err)
	}

	staff := p.browser(t)
	staff.lang = "en"
	staff.signInStaff(p, "clerk", accounts.RoleClerk)
	r := staff.get("/office/dashboard")
	r.mustContain(t, "<svg", `role="img"`, "Open requests: <strong>3</strong>",
		"Open tickets:</a> <strong>1</strong>")
	if n := strings.Count(r.body, "<rect"); n < 3 {
		t.Errorf("dashboard draws %d bars", n)
	}

	staff.get("/office/tickets").mustContain(t, tk.Ref)
	page := "/office/tickets/" + tk.Ref
	staff.get(page).mustContain(t, "No water in our street")
	mustRedirect(t, staff.post(page+"/reply", url.Values{"text": {"A team is on its way."}}),
		page+"?done=replied")
	staff.get("/office/tickets?status=answered").mustContain(t, tk.Ref)
	mustRedirect(t, staff.post(page+"/close", nil), page+"?done=closed")
	staff.get("/office/tickets?status=closed").mustContain(t, tk.Ref)
	staff.get("/office/dashboard").mustContain(t, "Open tickets:</a> <strong>0</strong>")
}

// pngEncode writes a small image, as a phone's photo of a paper would be.
func pngEncode(w io.Writer) error {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	return png.Encode(w, img)
}

// mustNotBeKept fails unless the browser (and any cache on the way) is
// told to keep no copy of r: an office PC is shared, and a citizen's ID
// document or certificate must not stay in its cache.
func mustNotBeKept(t *testing.T, what string, r response) {
	t.Helper()
	if cc := r.header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("%s: Cache-Control %q, want private, no-store", what, cc)
	}
	if !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("%s: Content-Disposition %q, want an attachment", what,
			r.header.Get("Content-Disposition"))
	}
}

// buildingDraft is a building certificate's draft form for citizen's
// request, as a clerk completes it from the archive's rec_a; a test
// changes what it is about with withValues.
func buildingDraft(citizen accounts.User) url.Values {
	return url.Values{"drafting": {"1"}, "kind": {"building_certificate"},
		"link_record": {"rec_a"}, "link_pages": {"1"},
		"draft_holder_name": {citizen.FullName}, "draft_holder_id": {citizen.NationalID},
		"draft_parcel": {"1234"}, "draft_plot": {"56"}, "draft_neighbourhood": {"الرمال"},
		"draft_street": {"شارع عمر المختار"}, "draft_zoning_status": {"مرخص سكني"},
		"draft_as_of": {"2023-10-01"},
		"floor_level": {"الأرضي"}, "floor_area": {"180"}, "floor_use": {"تجاري"}}
}

// withValues is v with the fields of changes set in place of its own.
func withValues(v, changes url.Values) url.Values {
	for k, vs := range changes {
		v[k] = vs
	}
	return v
}

func mustRedirect(t *testing.T, r response, to string) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.location != to {
		t.Fatalf("got %d to %q, want a redirect to %q:\n%s", r.status, r.location, to, r.body)
	}
}

func TestOfficeSupersedesACertificate(t *testing.T) {
	p, o := officePortal(t)
	citizen, ref := submitBuilding(t, p, o, 1)
	page := "/office/requests/" + ref
	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	draft := withValues(buildingDraft(citizen), url.Values{"link_pages": {""}})
	mustRedirect(t, clerk.post(page+"/draft", draft), page+"?done=drafted")
	sup := p.browser(t)
	sup.lang = "en"
	sup.signInStaff(p, "supervisor", accounts.RoleSupervisor)

	// Returned with a note the clerk reads and the citizen does not, then
	// drafted again and approved.
	if r := sup.post(page+"/return", url.Values{"note": {""}}); r.status != http.StatusBadRequest {
		t.Errorf("return without a note: %d", r.status)
	}
	mustRedirect(t, sup.post(page+"/return", url.Values{"note": {"Check the plot."}}),
		page+"?done=returned")
	clerk.get(page).mustContain(t, "Check the plot.", "Submit for approval")
	mine, err := o.Requests.Timeline(context.Background(), requests.Citizen(citizen.ID), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range mine {
		if e.Note == "Check the plot." || e.StaffNote != "" {
			t.Errorf("the citizen reads the staff's note: %+v", e)
		}
	}
	mustRedirect(t, clerk.post(page+"/draft", draft), page+"?done=drafted")
	mustRedirect(t, sup.post(page+"/approve", nil), page+"?done=approved")
	first := regexp.MustCompile(`href="(/V/[^"]+)"`).FindStringSubmatch(sup.get(page).body)

	holder := p.browser(t)
	holder.lang = "en"
	holder.signInAgain(citizen)
	before := holder.get("/requests/" + ref + "/certificate")

	// The corrected area is issued as a new certificate, which the request
	// then names: its page shows the new one, still revocable, and the
	// first verifies as superseded.
	draft.Set("floor_area", "185")
	mustRedirect(t, sup.post(page+"/supersede", draft), page+"?done=superseded")
	r := sup.get(page)
	r.mustContain(t, "Replaced by a corrected certificate", `action="`+page+`/revoke"`)
	now := regexp.MustCompile(`href="(/V/[^"]+)"`).FindStringSubmatch(r.body)
	if first == nil || now == nil || now[1] == first[1] {
		t.Fatalf("verify links: first %v, now %v", first, now)
	}
	p.browser(t).get(first[1]).mustContain(t, "Superseded")
	p.browser(t).get(now[1]).mustContain(t, `class="verdict valid"`, "185")

	// The citizen downloads the corrected certificate, not the first.
	holder.get("/requests/"+ref).mustContain(t, "Replaced by a corrected certificate")
	after := holder.get("/requests/" + ref + "/certificate")
	if after.status != http.StatusOK || !strings.HasPrefix(after.body, "%PDF") {
		t.Fatalf("the citizen's certificate: %d", after.status)
	}
	if after.body == before.body || after.body != sup.get(page+"/certificate.pdf").body {
		t.Errorf("after the supersession the citizen downloads the first certificate")
	}
}

func TestOfficeDraftsCraftAndCopy(t *testing.T) {
	p, o := officePortal(t)
	citizen, _ := p.env.Citizen(t, 1)
	by := requests.Citizen(citizen.ID)
	craft, err := o.Requests.Submit(context.Background(), by, &requests.CraftForm{
		ShopAddress: "الرمال، شارع عمر المختار", Trade: "نجارة أثاث", Holder: citizen.FullName,
		FromYear: "1995", ToYear: "2023"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	copyReq, err := o.Requests.Submit(context.Background(), by, &requests.CopyForm{
		DocumentType: "رخصة بناء", ReferenceNo: "4517/1998", Parties: citizen.FullName}, nil)
	if err != nil {
		t.Fatal(err)
	}
	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)

	// The craft draft starts from the citizen's trade and years; a year
	// that is not one is refused next to its field.
	page := "/office/requests/" + craft.Ref
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	clerk.get(page).mustContain(t, `name="draft_shop_name"`, `value="نجارة أثاث"`,
		`name="draft_from_year" value="1995"`)
	r := clerk.post(page+"/draft", url.Values{"kind": {"craft_certificate"},
		"link_record": {"rec_a"}, "draft_from_year": {"about 1995"}})
	r.mustContain(t, `id="err-draft_from_year"`, "Write the year in four digits.")

	// A certified copy reproduces one record, not two.
	page = "/office/requests/" + copyReq.Ref
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	r = clerk.post(page+"/draft", url.Values{"kind": {"certified_copy"},
		"link_record": {"rec_a", "rec_b"}, "link_pages": {"", ""}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("copy of two records: %d", r.status)
	}
	r.mustContain(t, `id="err-records"`, `name="draft_holder_name"`)

	// rec_a is indexed but its pages are not in the archive: the issuer
	// could copy nothing, and says so now, beside the linked records.
	r = clerk.post(page+"/draft", url.Values{"kind": {"certified_copy"},
		"link_record": {"rec_a"}, "link_pages": {""}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("copy of a record with no archived pages: %d", r.status)
	}
	r.mustContain(t, `id="err-records"`, "One of the linked records is not in the archive")
}

func TestOfficeQueuePages(t *testing.T) {
	p, o := officePortal(t)
	var refs []string
	for n := 1; n <= 27; n++ {
		_, ref := submitBuilding(t, p, o, n)
		refs = append(refs, ref)
		p.env.Clock.Advance(time.Hour)
	}
	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)

	// The oldest first, 25 a page, the counts of the whole queue.
	r := clerk.get("/office/queue?kind=building_certificate")
	r.mustContain(t, refs[0], refs[24], "Page 1 of 2", "27 requests",
		`<td data-label="Waiting (days):">1</td>`,
		`href="/office/queue?kind=building_certificate&amp;page=2"`)
	r.mustNotContain(t, refs[25])
	r = clerk.get("/office/queue?kind=building_certificate&page=2")
	r.mustContain(t, refs[25], refs[26], "Page 2 of 2")
	r.mustNotContain(t, refs[0])
	clerk.get("/office/queue?kind=craft_certificate").mustContain(t,
		"No request matches this view.")
}

func TestOfficeSearchShowsArchiveRecords(t *testing.T) {
	p, o := officePortal(t)
	_, ref := submitBuilding(t, p, o, 1)

	// Two small scans through the real ingester (Tesseract reads nothing
	// on them; the search finds them by their parcel), one restricted.
	ingest := func(shade uint8, restricted bool) string {
		img := image.NewGray(image.Rect(0, 0, 200, 120))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		img.Pix[0] = shade // different bytes, two records
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		rec, _, err := o.Ingester.Ingest(context.Background(), &b, archive.Metadata{
			Filename: "permit.png", RecordType: "building_permit", Reference: "4517",
			Title: "رخصة بناء سرية", Date: "1998-05-01", Parcel: "9876",
			Restricted: restricted})
		if err != nil {
			t.Fatal(err)
		}
		return rec.ID
	}
	open, closed := ingest(0, false), ingest(1, true)
	// The scans hold no text Tesseract can read: give their pages some, as
	// a reindex would, to find them by.
	for _, id := range []string{open, closed} {
		err := o.Search.Add(context.Background(), index.Page{RecordID: id, Number: 1,
			Text: "رخصة بناء للمالك سليم الحداد", RecordType: "building_permit",
			Reference: "4517", Parcel: "9876", Year: 1998})
		if err != nil {
			t.Fatal(err)
		}
	}

	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)
	page := "/office/requests/" + ref
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")
	r := clerk.get(page + "?q=" + url.QueryEscape("parcel:9876"))
	r.mustContain(t, open, closed, `<span class="tag">Building permit</span>`,
		"no. <bdi dir=\"ltr\">4517</bdi>", "1998",
		`src="/office/records/`+open+`/pages/1/thumb"`, "A restricted record")
	r.mustNotContain(t, `src="/office/records/`+closed+`/pages/1/thumb"`, "building_permit")

	// The open record's matching words show, marked; the restricted one's
	// text shows nowhere, only its page's audited view.
	r = clerk.get(page + "?q=" + url.QueryEscape("الحداد"))
	r.mustContain(t, "<mark>الحداد</mark>", "A restricted record",
		`href="/office/records/`+closed+`/pages/1/view"`)
	if n := strings.Count(r.body, "سليم"); n != 1 {
		t.Errorf("the owner's name shows %d times, want once (the open record's)", n)
	}

	// In Arabic, the hits and the linked records name the type in Arabic
	// too, not by the archive's code.
	clerk.lang = "ar"
	r = clerk.post(page+"/redraw", url.Values{"drafting": {"1"},
		"kind": {"building_certificate"}, "q": {"parcel:9876"}, "add": {open}})
	r.mustContain(t, `<span class="tag">رخصة بناء</span>`,
		`<span class="muted">رخصة بناء · <bdi dir="ltr">4517</bdi>`)
	r.mustNotContain(t, "building_permit")
	thumb := clerk.get("/office/records/" + open + "/pages/1/thumb")
	if thumb.status != http.StatusOK {
		t.Errorf("thumbnail: %d", thumb.status)
	}

	// A clerk's view of a restricted page is the clerk's in the trail, not
	// an archivist's: the admin must see who looked in what capacity.
	if view := clerk.get("/office/records/" + closed + "/pages/1/view"); view.status != 200 {
		t.Errorf("a restricted page's image: %d", view.status)
	}
	admin := p.browser(t)
	admin.lang = "en"
	admin.signInStaff(p, "admin", accounts.RoleAdmin)
	r = admin.get("/admin/audit?action=record.view_restricted")
	r.mustContain(t, closed, "viewed the view image of page 1", `<span title="clerk">`)
	r.mustNotContain(t, `<span title="archivist">`)
}

// TestOfficeCountsAgreeWithTheirNumber pins a trial's finding: the queue
// said "6 طلب" and the dashboard "أقل من 2 يوم". Arabic counts one and two
// in words, 3 to 10 with the plural, 11 and on with the singular.
func TestOfficeCountsAgreeWithTheirNumber(t *testing.T) {
	p, o := officePortal(t)
	clerk := p.browser(t)
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)

	submitted := 0
	for _, tc := range []struct {
		n      int
		ar, en string
	}{
		{1, "طلب واحد.", "1 request."},
		{2, "طلبان، الأقدم أولاً.", "2 requests, the oldest first."},
		{6, "6 طلبات، الأقدم أولاً.", "6 requests, the oldest first."},
		{11, "11 طلبًا، الأقدم أولاً.", "11 requests, the oldest first."},
	} {
		for ; submitted < tc.n; submitted++ {
			submitBuilding(t, p, o, submitted+1)
		}
		clerk.lang = "ar"
		clerk.get("/office/queue").mustContain(t, "<p>"+tc.ar+"</p>")
		clerk.lang = "en"
		clerk.get("/office/queue").mustContain(t, "<p>"+tc.en+"</p>")
	}

	clerk.lang = "ar"
	clerk.get("/office/dashboard").mustContain(t, "أقل من يومين", "من 2 إلى 7 أيام",
		"من 7 إلى 30 يومًا", "أكثر من 30 يومًا")
	clerk.lang = "en"
	clerk.get("/office/dashboard").mustContain(t, "under 2 days", "2 to 7 days",
		"7 to 30 days", "over 30 days")
}
