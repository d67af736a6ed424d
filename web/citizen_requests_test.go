package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/web"
)

// citizenPortal is a portal with a handle on its requests service, so that
// a test can act as the office directly while the citizen uses the pages.
func citizenPortal(t *testing.T) (*portal, *requests.Service) {
	t.Helper()
	var svc *requests.Service
	p := newPortal(t, func(c *web.Config) { svc = c.Requests })
	return p, svc
}

// upload is a file a form sends.
type upload struct {
	field, name string
	body        []byte
}

// sendForm posts a multipart form, with files, as a browser does from one
// of the site's own pages.
func (b *browser) sendForm(path string, fields url.Values, files ...upload) response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			b.t.Fatal(err)
		}
		w.Write(f.body)
	}
	if err := mw.Close(); err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// gpsMark is what the test photo's EXIF block says, so that its absence
// after upload shows the block went.
const gpsMark = "GPSLatitude 31.5017 N GPSLongitude 34.4668 E"

// photoWithGPS is a small JPEG as a phone writes it: an EXIF segment with a
// GPS position right after the start of the image.
func photoWithGPS(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		for y := range 24 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 90, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00MM\x00\x2a"), gpsMark...)
	segment := append([]byte{0xff, 0xe1, byte((len(payload) + 2) >> 8),
		byte(len(payload) + 2)}, payload...)
	raw := enc.Bytes()
	return append(append(append([]byte{}, raw[:2]...), segment...), raw[2:]...)
}

// staffActor makes a staff account with role, and returns it as the
// requests service knows it, for a test to act as the office.
func staffActor(t *testing.T, p *portal, login, role string) requests.Actor {
	t.Helper()
	return requests.Staff(p.env.Staff(t, login, role).User.ID, role)
}

// askedRequest is a certified copy request of the citizen signed in at b,
// about which a clerk has asked question.
func askedRequest(t *testing.T, p *portal, svc *requests.Service, b *browser,
	question string) (ref string, clerk requests.Actor) {
	t.Helper()
	ref = refOf(t, b.sendForm("/requests/new/copy", url.Values{
		"document_type": {"رخصة بناء"}, "parties": {"أمل حداد"}}))
	clerk = staffActor(t, p, "clerk-asks", accounts.RoleClerk)
	ctx := context.Background()
	if _, err := svc.StartReview(ctx, clerk, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AskForInformation(ctx, clerk, ref, question); err != nil {
		t.Fatal(err)
	}
	return ref, clerk
}

// fileLink is the first link to a file on the page of the request or
// ticket at path, as its owner sees it.
func fileLink(t *testing.T, b *browser, path string) string {
	t.Helper()
	page := b.get(path)
	link := regexp.MustCompile(regexp.QuoteMeta(path) + `/files/f_[0-9a-f]+`).
		FindString(page.body)
	if link == "" {
		t.Fatalf("%s has no link to a file:\n%s", path, page.body)
	}
	return link
}

// submitted is the reference number a successful form post was sent to.
var submittedRef = regexp.MustCompile(`^/(?:requests|tickets)/([A-Z]-\d{4}-\d{4}-\d{4})\?new=1$`)

func refOf(t *testing.T, r response) string {
	t.Helper()
	m := submittedRef.FindStringSubmatch(r.location)
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("the form was not accepted: %d %q\n%s", r.status, r.location, r.body)
	}
	return m[1]
}

// The citizen asks for each of the three services, one of them with a
// phone photo, and finds each in their list and on its own page with its
// timeline; the photo comes back without its GPS position.
func TestCitizenSubmitsEachService(t *testing.T) {
	p, _ := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)

	forms := []struct {
		slug  string
		form  url.Values
		shown []string
	}{
		{"copy", url.Values{"document_type": {"عقد بيع"}, "reference_no": {"٣٣١٢/١٩٩٥"},
			"parties": {"خليل عودة"}}, []string{"عقد بيع", "3312/1995", "خليل عودة"}},
		{"building", url.Values{"parcel": {"1234"}, "plot": {"56"},
			"neighbourhood": {"الرمال"}, "owner": {"أحمد الخطيب"}, "approx_year": {"2019"}},
			[]string{"1234", "الرمال", "أحمد الخطيب", "2019"}},
		{"craft", url.Values{"shop_address": {"سوق الزاوية، محل 12"}, "trade": {"نجارة"},
			"holder": {"سمير حلس"}, "from_year": {"1990"}, "to_year": {"2023"}},
			[]string{"سوق الزاوية، محل 12", "نجارة", "1990", "2023"}},
	}
	var refs []string
	for _, f := range forms {
		if r := b.get("/requests/new/" + f.slug); r.status != http.StatusOK {
			t.Fatalf("%s form: %d", f.slug, r.status)
		}
		var files []upload
		if f.slug == "building" {
			files = append(files, upload{"files", "IMG_2231.jpg", photoWithGPS(t)})
		}
		ref := refOf(t, b.sendForm("/requests/new/"+f.slug, f.form, files...))
		refs = append(refs, ref)

		page := b.get("/requests/" + ref + "?new=1")
		if page.status != http.StatusOK {
			t.Fatalf("%s page: %d", ref, page.status)
		}
		page.mustContain(t, ref, "قُدّم الطلب", "مُقدَّم") // event and state, in Arabic
		page.mustContain(t, f.shown...)
		p.env.Clock.Advance(time.Minute)
	}

	// The list, newest first.
	list := b.get("/requests")
	last := -1
	for i := len(refs) - 1; i >= 0; i-- {
		at := strings.Index(list.body, refs[i])
		if at < 0 || at < last {
			t.Fatalf("/requests does not list %v newest first:\n%s", refs, list.body)
		}
		last = at
	}

	// The photo, as stored, is still a JPEG but says nothing of where it
	// was taken.
	file := b.get(fileLink(t, b, "/requests/"+refs[1]))
	h := file.header
	if file.status != http.StatusOK || h.Get("Content-Type") != "image/jpeg" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("photo download: %d %v", file.status, h)
	}
	if strings.Contains(file.body, "Exif") || strings.Contains(file.body, "GPSLatitude") {
		t.Errorf("the stored photo still carries its EXIF block")
	}
	if _, err := jpeg.Decode(strings.NewReader(file.body)); err != nil {
		t.Errorf("the stored photo is no JPEG: %v", err)
	}
}

// A building request with neither parcel nor plot, no owner and a year in
// words is shown again in Arabic, each problem next to its field and
// what was typed kept.
func TestBadRequestFormShowsFieldErrors(t *testing.T) {
	p, _ := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)

	r := b.sendForm("/requests/new/building", url.Values{"neighbourhood": {"الرمال"},
		"street": {"شارع البحر"}, "approx_year": {"قديم"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad form: %d, want 400", r.status)
	}
	r.mustContain(t, "بعض الحقول تحتاج إلى تصحيح",
		`value="الرمال"`, `value="شارع البحر"`, `value="قديم"`,
		`aria-describedby="f-parcel-error f-parcel-hint"`)
	for field, want := range map[string]string{
		"parcel": "اكتب رقم القطعة أو رقم القسيمة", "owner": "اسم مالك المبنى",
		"approx_year": "اكتب سنة"} {
		m := regexp.MustCompile(`<p class="field-error" id="f-` + field + `-error">([^<]*)</p>`).
			FindStringSubmatch(r.body)
		if m == nil || !strings.Contains(m[1], want) {
			t.Errorf("field %s: error %q, want one saying %q", field, m, want)
		}
	}
	for _, ok := range []string{"f-neighbourhood-error", "f-street-error"} {
		if strings.Contains(r.body, ok) {
			t.Errorf("a good field is marked wrong: %s", ok)
		}
	}
	if list := b.get("/requests"); strings.Contains(list.body, "B-") {
		t.Errorf("a refused form was recorded:\n%s", list.body)
	}

	// A file that is neither a photo nor a PDF is said next to the files,
	// and the good form is kept for sending again with another file.
	r = b.sendForm("/requests/new/building", url.Values{"parcel": {"1234"},
		"neighbourhood": {"الرمال"}, "owner": {"أمل"}},
		upload{"files", "notes.txt", []byte("not a photo at all")})
	if r.status != http.StatusBadRequest {
		t.Fatalf("a text file: %d, want 400", r.status)
	}
	r.mustContain(t, `id="f-files-error"`, "JPEG", `value="1234"`, `value="أمل"`)
	r.mustNotContain(t, `id="f-parcel-error"`)
}

// A reference number typed in lower case or with Arabic-Indic digits finds
// the request; a malformed one is "check the number", not "not found".
func TestRequestRefAsTyped(t *testing.T) {
	p, _ := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)
	ref := refOf(t, b.sendForm("/requests/new/craft", url.Values{
		"shop_address": {"الميناء"}, "trade": {"حدادة"}, "holder": {"سمير"}}))

	arabic := strings.NewReplacer("0", "٠", "1", "١", "2", "٢", "3", "٣", "4", "٤",
		"5", "٥", "6", "٦", "7", "٧", "8", "٨", "9", "٩").Replace(ref)
	for _, typed := range []string{strings.ToLower(ref), arabic,
		strings.ReplaceAll(ref, "-", "")} {
		r := b.get("/requests/" + url.PathEscape(typed))
		if r.status != http.StatusMovedPermanently || r.location != "/requests/"+ref {
			t.Errorf("%q: %d to %q, want the canonical page", typed, r.status, r.location)
		}
	}
	if r := b.get("/requests/C-2026-0000-0001"); r.status != http.StatusBadRequest {
		t.Errorf("a ref with a wrong check digit: %d, want 400", r.status)
	}
}

// The office asks a question; the citizen sees it on the request's page
// and answers it with a file; the answer is on the timeline and the
// office's turn again.
func TestCitizenAnswersTheOffice(t *testing.T) {
	p, svc := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)
	question := "ما رقم الرخصة أو سنة صدورها التقريبية؟"
	ref, clerk := askedRequest(t, p, svc, b, question)
	ctx := context.Background()

	b.get("/account").mustContain(t, "ينتظر المكتب جوابك", `href="/requests/`+ref+`"`)
	page := b.get("/requests/" + ref)
	page.mustContain(t, "يحتاج المكتب إلى معلومات إضافية", question,
		`action="/requests/`+ref+`/answer"`)

	// An empty answer is refused next to its field.
	r := b.sendForm("/requests/"+ref+"/answer", url.Values{"answer": {"  "}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="f-answer-error"`) {
		t.Fatalf("empty answer: %d\n%s", r.status, r.body)
	}

	r = b.sendForm("/requests/"+ref+"/answer", url.Values{"answer": {"صدرت سنة 1998 تقريباً"}},
		upload{"files", "permit.jpg", photoWithGPS(t)})
	if r.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", r.status, r.body)
	}
	page = b.get(r.location)
	page.mustContain(t, "أُرسل جوابك", "صدرت سنة 1998 تقريباً", "permit.jpg")
	page.mustNotContain(t, `action="/requests/`+ref+`/answer"`)
	b.get("/account").mustNotContain(t, "ينتظر المكتب جوابك")

	// An empty answer once no question is open was a 400 with no message.
	r = b.sendForm("/requests/"+ref+"/answer", url.Values{"answer": {" "}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("empty answer to no question: %d", r.status)
	}
	r.mustContain(t, `role="alert"`, "لم يُرسَل ردّك: هذا الطلب لا ينتظر رداً الآن.")
	got, err := svc.Request(ctx, clerk, ref)
	if err != nil || got.State != requests.StateAnswered || len(got.Files) != 1 {
		t.Fatalf("after the answer the office sees %s with %d files, %v", got.State,
			len(got.Files), err)
	}
}

// The office issues the certificate (a clerk drafts it from the archived
// record, a supervisor approves); the citizen downloads the PDF, named by
// the certificate's number.
func TestCitizenDownloadsTheIssuedCertificate(t *testing.T) {
	p, svc := citizenPortal(t)
	b := p.browser(t)
	u := b.signInCitizen(p, 1)
	ref := refOf(t, b.sendForm("/requests/new/building", url.Values{
		"parcel": {"1234"}, "neighbourhood": {"الرمال"}, "owner": {u.FullName}}))

	if r := b.get("/requests/" + ref + "/certificate"); r.status != http.StatusConflict {
		t.Errorf("certificate before issue: %d, want 409", r.status)
	}

	ctx := context.Background()
	clerk := staffActor(t, p, "clerk-i", accounts.RoleClerk)
	super := staffActor(t, p, "super-i", accounts.RoleSupervisor)
	if _, err := svc.StartReview(ctx, clerk, ref); err != nil {
		t.Fatal(err)
	}
	// rec_a is the record newPortal's certificate office holds.
	if _, err := svc.SubmitDraft(ctx, clerk, ref, requests.Draft{
		Records: []requests.RecordLink{{RecordID: "rec_a"}},
		Building: &requests.BuildingDraft{HolderName: u.FullName, HolderID: u.NationalID,
			Parcel: "1234", Plot: "56", Neighbourhood: "الرمال", Street: "شارع البحر",
			ZoningStatus: "مرخّص",
			AsOf:         "2023-10-01", Floors: []requests.FloorDraft{
				{Level: "0", AreaM2: "120", Use: "سكني"}}},
	}); err != nil {
		t.Fatal(err)
	}
	issued, err := svc.Approve(ctx, super, ref)
	if err != nil {
		t.Fatal(err)
	}

	page := b.get("/requests/" + ref)
	page.mustContain(t, "تم الإصدار", issued.CertID, `href="/requests/`+ref+`/certificate"`)
	pdf := b.get("/requests/" + ref + "/certificate")
	h := pdf.header
	if pdf.status != http.StatusOK || h.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(pdf.body, "%PDF-") {
		t.Fatalf("certificate: %d %s, %d bytes", pdf.status, h.Get("Content-Type"),
			len(pdf.body))
	}
	disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != issued.CertID+".pdf" {
		t.Errorf("Content-Disposition %q, want an attachment named %s.pdf",
			h.Get("Content-Disposition"), issued.CertID)
	}
}

// Another citizen reaches none of a citizen's request, its files, its
// certificate or its answer form by changing the reference number: each
// is 404, as for a number that does not exist.
func TestAnotherCitizensRequestIsNotFound(t *testing.T) {
	p, _ := citizenPortal(t)
	owner := p.browser(t)
	owner.signInCitizen(p, 1)
	ref := refOf(t, owner.sendForm("/requests/new/building", url.Values{"plot": {"7"},
		"neighbourhood": {"الرمال"}, "owner": {"أمل"}},
		upload{"files", "deed.jpg", photoWithGPS(t)}))
	file := fileLink(t, owner, "/requests/"+ref)

	other := p.browser(t)
	other.signInCitizen(p, 2)
	for _, path := range []string{"/requests/" + ref, file, "/requests/" + ref + "/certificate"} {
		if r := other.get(path); r.status != http.StatusNotFound {
			t.Errorf("another citizen's GET %s: %d, want 404", path, r.status)
		}
	}
	r := other.sendForm("/requests/"+ref+"/answer", url.Values{"answer": {"x"}})
	if r.status != http.StatusNotFound {
		t.Errorf("another citizen's answer: %d, want 404", r.status)
	}
	if list := other.get("/requests"); strings.Contains(list.body, ref) {
		t.Errorf("another citizen's list shows %s", ref)
	}
}

// A file past the service's limit is refused before the whole body is
// read, and the form comes back saying so, with the request unchanged.
func TestOversizedAnswerFileIsRefused(t *testing.T) {
	p, svc := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)
	ref, clerk := askedRequest(t, p, svc, b, "أرسل صورة الرخصة")

	big := make([]byte, requests.MaxFileBytes+200<<10)
	r := b.sendForm("/requests/"+ref+"/answer", url.Values{"answer": {"هذه هي"}},
		upload{"files", "scan.pdf", big})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized answer: %d, want 413", r.status)
	}
	r.mustContain(t, "الملفات كبيرة جداً", `action="/requests/`+ref+`/answer"`,
		`id="f-files-error"`, "هذه هي")
	if got, err := svc.Request(context.Background(), clerk, ref); err != nil ||
		got.State != requests.StateNeedsInformation {
		t.Errorf("after a refused answer the request is %s, %v", got.State, err)
	}
}

// The pages with parameters, which TestPageWeights cannot reach, are
// within the phone's budget too.
func TestCitizenPagesWeighLittle(t *testing.T) {
	p, _ := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)
	req := refOf(t, b.sendForm("/requests/new/craft", url.Values{
		"shop_address": {"الميناء"}, "trade": {"حدادة"}, "holder": {"سمير"}},
		upload{"files", "shop.jpg", photoWithGPS(t)}))
	tk := refOf(t, b.sendForm("/tickets/new", url.Values{"ticket_kind": {"inquiry"},
		"category": {"roads"}, "text": {"متى يُفتح الشارع؟"}}))
	for _, path := range []string{"/requests/new/copy", "/requests/new/building",
		"/requests/new/craft", "/requests/" + req, "/tickets/" + tk} {
		r := b.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.status)
		}
		n := gzipSize(t, r.body)
		t.Logf("%-34s %6d bytes, %5d compressed", path, len(r.body), n)
		if n > maxPageWeight {
			t.Errorf("%s weighs %d bytes compressed, over %d", path, n, maxPageWeight)
		}
	}
}

// TestPlotHintAddsToItsLabel pins a trial's finding: the plot field's hint
// repeated its label ("Plot number — or the plot number") and said nothing
// more.
func TestPlotHintAddsToItsLabel(t *testing.T) {
	p, _ := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)

	for _, tc := range []struct{ lang, label, hint string }{
		{"ar", "رقم القسيمة", "كما هو مكتوب في أوراق الطابو"},
		{"en", "Plot number", "as written in the land registry papers"},
	} {
		b.lang = tc.lang
		r := b.get("/requests/new/building")
		hint := regexp.MustCompile(`<span class="hint" id="f-plot-hint">([^<]*)</span>`).
			FindStringSubmatch(r.body)
		if hint == nil {
			t.Fatalf("%s: no hint for the plot field:\n%s", tc.lang, r.body)
		}
		if !strings.Contains(hint[1], tc.hint) || strings.Contains(hint[1], tc.label) ||
			strings.Contains(strings.ToLower(hint[1]), strings.ToLower(tc.label)) {
			t.Errorf("%s: the plot hint %q should say %q and not repeat the label %q",
				tc.lang, hint[1], tc.hint, tc.label)
		}
	}
}
