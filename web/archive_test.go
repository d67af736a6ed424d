package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/internal/indextest"
	"github.com/sijil-municipality/sijil/web"
)

// upload posts a scan and the upload form's fields, in the form's order
// (fields first, the file last), as a browser sends it.
func (b *browser) upload(name string, data []byte, fields ...string) response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+"/archive/upload", &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// fetch gets path and returns the response's headers too, for images.
func (b *browser) fetch(path string) (*http.Response, []byte) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp, buf.Bytes()
}

// testScan reads a scan: a real one from the shared samples, which are
// not part of Sijil and stay out of its repository, or one of this
// package's own in testdata.
func testScan(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(scanPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// scanPath is where testScan finds name: testdata, else the shared
// samples' scans ($SIJIL_SAMPLES, else the shared folder beside the
// checkout, as CI lays it). Without them the test fails, naming them.
func scanPath(t *testing.T, name string) string {
	t.Helper()
	if p := filepath.Join("testdata", name); fileExists(p) {
		return p
	}
	dir := os.Getenv("SIJIL_SAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "samples")
	}
	p := filepath.Join(dir, "scans", name)
	if !fileExists(p) {
		t.Fatalf("the sample scan %s is missing: these tests read the shared samples "+
			"(set $SIJIL_SAMPLES to the samples folder)", p)
	}
	return p
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// archivistAt starts a portal and signs an archivist in, in English.
func archivistAt(t *testing.T) (*portal, *browser) {
	t.Helper()
	p := newPortal(t)
	b := p.browser(t)
	b.lang = "en"
	b.signInStaff(p, "archivist", accounts.RoleArchivist)
	return p, b
}

// plain is a page's body without the bidi marks Tesseract puts in words.
func plain(r response) string {
	return strings.NewReplacer("\u200f", "", "\u200e", "").Replace(r.body)
}

var recordPath = regexp.MustCompile(`^/archive/records/(rec_[0-9a-f]+)\?done=(\w+)$`)

// mustUpload uploads a scan and returns its record's id and how the
// upload ended ("uploaded" or "existed").
func mustUpload(t *testing.T, b *browser, name string, data []byte, fields ...string) (
	string, string) {
	t.Helper()
	r := b.upload(name, data, fields...)
	m := recordPath.FindStringSubmatch(r.location)
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("upload %s: %d to %q\n%s", name, r.status, r.location, r.body)
	}
	return m[1], m[2]
}

// TestArchivistWorksARecord follows an archivist through the real
// pipeline: an upload read by Tesseract, a search typed without hamza,
// the hit drawn on the page, a correction that needs its reason, a
// second copy flagged and decided, and the views of a restricted record
// in the admin's audit trail.
func TestArchivistWorksARecord(t *testing.T) {
	p, b := archivistAt(t)
	scan := testScan(t, "building-administration.tif")

	id, how := mustUpload(t, b, "permit.tif", scan, "record_type", "building_permit",
		"reference", "4517", "date", "1998-04-12", "names", "أحمد الخطيب", "parcel", "1234")
	if how != "uploaded" {
		t.Fatalf("first upload ended %q, want uploaded", how)
	}

	t.Run("the record page shows the OCR text", func(t *testing.T) {
		r := b.get("/archive/records/" + id + "?done=uploaded")
		if r.status != http.StatusOK {
			t.Fatalf("record page: %d\n%s", r.status, r.body)
		}
		for _, want := range []string{"الإدارة العامة للمباني", "أحمد الخطيب", "1234",
			"/archive/records/" + id + "/pages/1/view"} {
			if !strings.Contains(plain(r), want) {
				t.Errorf("record page lacks %q", want)
			}
		}
	})

	t.Run("the same bytes again go to the same record", func(t *testing.T) {
		again, how := mustUpload(t, b, "permit.tif", scan, "record_type", "building_permit")
		if again != id || how != "existed" {
			t.Errorf("re-upload went to %s (%s), want %s (existed)", again, how, id)
		}
		// Described otherwise, the record keeps what it says, and the
		// archivist is told that what they typed was not saved.
		again, how = mustUpload(t, b, "permit.tif", scan, "reference", "OTHER-REF")
		if again != id || how != "existed_differs" {
			t.Errorf("re-upload described otherwise: %s (%s), want %s (existed_differs)",
				again, how, id)
		}
		b.get("/archive/records/"+id+"?done="+how).mustContain(t,
			"what you typed about it was not saved", "4517")
	})

	var hitLink string
	t.Run("search finds a word typed without hamza", func(t *testing.T) {
		// The page spells it إستخراج.
		r := b.get("/archive/search?q=" + url.QueryEscape("استخراج"))
		if r.status != http.StatusOK {
			t.Fatalf("search: %d\n%s", r.status, r.body)
		}
		r.mustContain(t, "<mark>", "/archive/records/"+id+"/pages/1/thumb",
			"Names: <bdi>أحمد الخطيب</bdi> · Parcel <bdi>1234</bdi>", // why it may match
			"q=%D8%A7%D8%B3%D8%AA%D8%AE%D8%B1%D8%A7%D8%AC&#43;type%3Abuilding_permit",
			"q=%D8%A7%D8%B3%D8%AA%D8%AE%D8%B1%D8%A7%D8%AC&#43;year%3A1990..1999")
		m := regexp.MustCompile(`href="(/archive/records/` + id + `\?q=[^"]+)"`).
			FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no link to the record with the query:\n%s", r.body)
		}
		hitLink = strings.ReplaceAll(m[1], "&amp;", "&")
	})

	t.Run("the record page reached from the search draws the hit", func(t *testing.T) {
		r := b.get(hitLink)
		if n := strings.Count(r.body, "<rect "); n == 0 {
			t.Errorf("no hit box on the page from %s:\n%s", hitLink, r.body)
		}
		if n := strings.Count(b.get("/archive/records/"+id).body, "<rect "); n != 0 {
			t.Errorf("%d hit boxes on the page reached without a search", n)
		}
	})

	t.Run("images are served privately from the store", func(t *testing.T) {
		for _, kind := range []string{"thumb", "view"} {
			resp, body := b.fetch("/archive/records/" + id + "/pages/1/" + kind)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") !=
				"image/jpeg" || !bytes.HasPrefix(body, []byte{0xff, 0xd8}) {
				t.Errorf("%s: %d %q", kind, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
				t.Errorf("%s: Cache-Control %q", kind, cc)
			}
		}
		if resp, _ := b.fetch("/archive/records/" + id + "/pages/1/page"); resp.StatusCode !=
			http.StatusNotFound {
			t.Errorf("the full page image: %d, want 404", resp.StatusCode)
		}
	})

	t.Run("a correction needs a reason and shows in the history", func(t *testing.T) {
		edit := url.Values{"record_type": {"building_permit"}, "reference": {"4517"},
			"parcel": {"1243"}, "reason": {""}}
		r := b.post("/archive/records/"+id, edit)
		if r.status != http.StatusBadRequest {
			t.Fatalf("correction without a reason: %d", r.status)
		}
		r.mustContain(t, "Say why", `value="1243"`)

		edit.Set("reason", "parcel misread from the register")
		edit.Set("date", "1998-13-40")
		r = b.post("/archive/records/"+id, edit)
		if r.status != http.StatusBadRequest {
			t.Fatalf("correction with a bad date: %d", r.status)
		}
		r.mustContain(t, `class="ferr">This date does not exist (a 13th month, a 30 February)`)

		edit.Del("date")
		r = b.post("/archive/records/"+id, edit)
		if r.status != http.StatusSeeOther {
			t.Fatalf("correction: %d\n%s", r.status, r.body)
		}
		r = b.get(r.location)
		r.mustContain(t, "parcel misread from the register", "<del><bdi>1234</bdi></del>",
			"<ins><bdi>1243</bdi></ins>", "The correction was saved",
			"</del> → <ins>")
		// Right to left, the new value is on the left: the arrow points to it.
		ar := *b
		ar.lang = "ar"
		ar.get("/archive/records/"+id).mustContain(t,
			"<del><bdi>1234</bdi></del> ← <ins><bdi>1243</bdi>",
			"صُحّح: القطعة") // the field by its name, not parcel
	})

	t.Run("a page's text is corrected with a reason", func(t *testing.T) {
		form := "/archive/records/" + id + "/pages/1/text"
		if r := b.get(form); r.status != http.StatusOK {
			t.Fatalf("text form: %d", r.status)
		}
		// A form without the text field empties nothing.
		if r := b.post(form, url.Values{"reason": {"x"}}); r.status != http.StatusBadRequest {
			t.Errorf("a text correction without the text: %d", r.status)
		}
		r := b.post(form, url.Values{"text": {"نص مصحح عن الإدارة"}, "reason": {"OCR noise"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("text correction: %d\n%s", r.status, r.body)
		}
		b.get(r.location).mustContain(t, "نص مصحح عن الإدارة", "OCR noise",
			`<p class="diff" dir="auto">`, "<ins>نص مصحح</ins> عن الإدارة <del>")
		b.get("/archive/search?q="+url.QueryEscape("مصحح")).mustContain(t, "<mark>")
	})

	t.Run("a second copy with the same reference is a duplicate to decide", func(t *testing.T) {
		other, _ := mustUpload(t, b, "permit-again.tif",
			testScan(t, "building-administration-upside-down.tif"),
			"record_type", "building_permit", "reference", "4517")
		r := b.get("/archive/duplicates")
		r.mustContain(t, "/archive/records/"+id, "/archive/records/"+other,
			"Two files with one reference number",
			`<a href="/archive/records/`+other+`/pages/1/view"`) // to compare at full size
		flag := regexp.MustCompile(`action="/archive/duplicates/(dup_[0-9a-f]+)"`).
			FindStringSubmatch(r.body)
		if flag == nil {
			t.Fatalf("no decision form:\n%s", r.body)
		}
		path := "/archive/duplicates/" + flag[1]
		if r := b.post(path, url.Values{"status": {"not_duplicate"}}); r.status !=
			http.StatusBadRequest || !strings.Contains(r.body, "Say why") {
			t.Errorf("decision without a note: %d", r.status)
		}
		r = b.post(path, url.Values{"status": {"not_duplicate"}, "note": {"two permits"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("decision: %d\n%s", r.status, r.body)
		}
		b.get(r.location).mustContain(t, "No possible duplicates to decide")

		// The flag and the decision are events of the later record, told in
		// the page's language: an Arabic page shows no English detail.
		ar := *b
		ar.lang = "ar"
		events := ar.get("/archive/records/" + other)
		events.mustContain(t, "مع السجلّ "+id+"، لكليهما الرقم المرجعي 4517",
			"قرار في "+flag[1]+" مع السجلّ "+id+": وثيقتان مختلفتان (ملفان برقم مرجعي واحد)")
		if strings.Contains(events.body, `<span lang="en" class="ltr">`) {
			t.Errorf("an event of the Arabic record page is in English:\n%s", events.body)
		}
		dups := ar.get("/archive/duplicates?all=1")
		dups.mustContain(t, "لكليهما الرقم المرجعي 4517")
		if strings.Contains(dups.body, `<span lang="en" class="ltr">`) {
			t.Errorf("a flag's detail on the Arabic duplicates page is English:\n%s", dups.body)
		}
		// One page is one page, in English too, and a portal upload says so.
		b.get("/archive/records/"+other).mustContain(t,
			"archived permit-again.tif (image/tiff, 1 page), from an upload in the portal of "+
				"permit-again.tif")
		all := b.get("/archive/duplicates?all=1")
		all.mustContain(t, "two permits", "Two different documents",
			`<input type="hidden" name="all" value="1">`)

		// Deciding again from the all=1 view without a note: the form
		// posts all=1 back and the page says what is wrong.
		r = b.post(path, url.Values{"status": {"duplicate_kept"}, "all": {"1"}})
		if r.status != http.StatusBadRequest {
			t.Errorf("second decision without a note: %d", r.status)
		}
		r.mustContain(t, "Say why", "two permits")
		r = b.post(path, url.Values{"status": {"duplicate_kept"}})
		r.mustContain(t, "Say why") // without all=1 the flag is unlisted: the error shows atop
	})

	t.Run("views of a restricted record are in the admin's audit trail", func(t *testing.T) {
		r := b.post("/archive/records/"+id, url.Values{"restricted": {"yes"},
			"national_ids": {"123456782"}, "reason": {"holds a citizen's ID"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("restrict: %d\n%s", r.status, r.body)
		}
		r = b.get("/archive/records/" + id)
		r.mustContain(t, "••••••782", "every view of it is recorded",
			"<del><bdi>No</bdi></del> → <ins><bdi>Yes</bdi></ins>") // not false → true
		ar := *b
		ar.lang = "ar"
		ar.get("/archive/records/"+id).mustContain(t, "شاهد السجل المقيّد", "ثقة القراءة")
		resp, _ := b.fetch("/archive/records/" + id + "/pages/1/view")
		if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Errorf("a restricted record's image: Cache-Control %q", cc)
		}
		r.mustNotContain(t, "123456782")
		b.get("/archive/search?q="+url.QueryEscape("الإدارة")).mustNotContain(t,
			"/archive/records/"+id+"/pages/1/thumb")

		if r := b.get("/admin/audit"); r.status != http.StatusForbidden {
			t.Errorf("an archivist reads the audit trail: %d", r.status)
		}
		admin := p.browser(t)
		admin.lang = "en"
		admin.signInStaff(p, "admin", accounts.RoleAdmin)
		r = admin.get("/admin/audit?action=record.view_restricted")
		if r.status != http.StatusOK {
			t.Fatalf("audit page: %d\n%s", r.status, r.body)
		}
		r.mustContain(t, "The trail is intact", "record.view_restricted", id, "(archivist)",
			"viewed the restricted record", "viewed the view image of page 1")
		// Filtered: no upload's row, though the filter still offers uploads.
		r.mustNotContain(t, "123456782", `<span title="record.upload">`)
		admin.get("/admin/audit").mustContain(t, "record.edit", "duplicate.decide",
			"record.upload")
	})
}

// TestArchiveRefusals shows what the archive refuses, in the archivist's
// language: a broken query, a file that is no scan, a locked PDF.
func TestArchiveRefusals(t *testing.T) {
	_, b := archivistAt(t)

	for _, tt := range []struct{ q, want string }{
		{"colour:blue", `Unknown search field &#34;colour&#34;`},
		{"year:abc", "Write a year as 1998"},
		{"*a", "Type at least 2 letters"},
		{strings.Repeat("كلمة ", 120), "at most 500 characters"},
	} {
		r := b.get("/archive/search?q=" + url.QueryEscape(tt.q))
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, tt.want) {
			t.Errorf("search %.20q: %d, want 400 saying %q", tt.q, r.status, tt.want)
		}
	}
	b.lang = "ar"
	b.get("/archive/search?q=colour:blue").mustContain(t, "حقل بحث غير معروف")

	r := b.upload("notes.txt", []byte("not a scan at all\n"), "reference", "12")
	if r.status != http.StatusBadRequest {
		t.Fatalf("a text file: %d", r.status)
	}
	r.mustContain(t, "لا تُقبل إلا المسوح", `value="12"`)
	r = b.upload("empty.tif", nil, "reference", "12")
	if r.status != http.StatusBadRequest {
		t.Fatalf("an empty file: %d", r.status)
	}
	r.mustContain(t, "الملف فارغ")
	r.mustNotContain(t, "لا تُقبل إلا المسوح")

	b.lang = "en"
	r = b.upload("permit.tif", testScan(t, "building-administration.tif"),
		"national_ids", "123456789")
	r.mustContain(t, `class="ferr">Each national ID must be 9 digits`)

	t.Run("a locked PDF asks for its password", func(t *testing.T) {
		locked := filepath.Join(t.TempDir(), "locked.pdf")
		out, err := exec.Command("qpdf", "--encrypt", "open-sesame", "owner-pw", "256", "--",
			scanPath(t, "building-administration-scan.pdf"), locked).CombinedOutput()
		if err != nil {
			t.Fatalf("qpdf: %v\n%s", err, out)
		}
		data, err := os.ReadFile(locked)
		if err != nil {
			t.Fatal(err)
		}
		r := b.upload("locked.pdf", data, "record_type", "deed")
		if r.status != http.StatusBadRequest {
			t.Fatalf("locked PDF without its password: %d", r.status)
		}
		r.mustContain(t, `name="password"`, "locked with a password")
		if strings.Contains(b.get("/archive/upload").body, `name="password"`) {
			t.Error("the blank form asks for a PDF password")
		}
		id, _ := mustUpload(t, b, "locked.pdf", data, "record_type", "deed",
			"password", "open-sesame")

		// A broken query in a link to the record marks nothing, and breaks
		// nothing.
		r = b.get("/archive/records/" + id + "?q=" + url.QueryEscape("colour:blue"))
		if r.status != http.StatusOK || strings.Contains(r.body, "<rect ") {
			t.Errorf("record page with a broken query: %d", r.status)
		}
	})
}

// TestUploadOverTheLimit is refused with the limit's reason, before OCR.
func TestUploadOverTheLimit(t *testing.T) {
	p := newPortal(t, func(c *web.Config) { c.Ingester.Limits.MaxBytes = 8 << 10 })
	b := p.browser(t)
	b.lang = "en"
	b.signInStaff(p, "archivist", accounts.RoleArchivist)
	r := b.upload("permit.tif", testScan(t, "building-administration.tif"))
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("a file over the limit: %d", r.status)
	}
	r.mustContain(t, "The file is too large")
}

// alteredBlobs is the blob store as a fixity check sees it after someone
// changed one stored byte of the object under key.
type alteredBlobs struct {
	archive.Blobs
	key string
}

func (a alteredBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := a.Blobs.Get(ctx, key)
	if err != nil || key != a.key {
		return rc, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	b[len(b)/2] ^= 0xff
	return io.NopCloser(bytes.NewReader(b)), nil
}

// TestBlockedRecordShowsNoImages: a record whose original failed its
// fixity check is still described, but its page images are refused.
func TestBlockedRecordShowsNoImages(t *testing.T) {
	p, b := archivistAt(t)
	scan := testScan(t, "building-administration.tif")
	id, _ := mustUpload(t, b, "permit.tif", scan, "record_type", "deed")
	img := "/archive/records/" + id + "/pages/1/view"
	if resp, _ := b.fetch(img); resp.StatusCode != http.StatusOK {
		t.Fatalf("image before the check: %d", resp.StatusCode)
	}

	sum := sha256.Sum256(scan)
	fx := archive.Fixity{DB: p.office.DB, Blobs: alteredBlobs{p.office.Blobs,
		archive.OriginalKey(hex.EncodeToString(sum[:]))}}
	if _, err := fx.CheckAll(context.Background()); err != nil {
		t.Fatal(err)
	}

	if resp, _ := b.fetch(img); resp.StatusCode != http.StatusConflict {
		t.Errorf("image of a blocked record: %d, want 409", resp.StatusCode)
	}
	r := b.get("/archive/records/" + id)
	r.mustContain(t, "failed its last fixity check")
	r.mustNotContain(t, `src="`+img)
}

// TestRecordEventsInTheReadersLanguage: a record's events say what
// happened in Arabic on an Arabic page, as they do in English.
func TestRecordEventsInTheReadersLanguage(t *testing.T) {
	p, b := archivistAt(t)
	id, _ := mustUpload(t, b, "permit.tif", testScan(t, "building-administration.tif"))
	fx := archive.Fixity{DB: p.office.DB, Blobs: p.office.Blobs}
	for range 2 { // the first check records the hashes, the second compares them
		if _, err := fx.CheckAll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	// Ingest recorded every hash, so both checks compare with it.
	r := b.get("/archive/records/" + id)
	r.mustContain(t, "archived permit.tif (image/tiff, 1 page)",
		"SHA-256 matches the recorded hash")
	r.mustNotContain(t, "recorded as the baseline")
	b.lang = "ar"
	r = b.get("/archive/records/" + id)
	r.mustContain(t, "أُرشف الملف permit.tif (image/tiff، عدد الصفحات 1)",
		"بصمة SHA-256 مطابقة للمسجّلة")
	r.mustNotContain(t, "archived permit.tif", "SHA-256 matches")
}

// TestRecordPagesAScreenAtATime: a record of many pages shows ten at a
// time, and a hit's link opens the screen holding its page.
func TestRecordPagesAScreenAtATime(t *testing.T) {
	_, b := archivistAt(t)
	id, _ := mustUpload(t, b, "twelve.tif", testScan(t, "twelve-pages.tif"),
		"record_type", "other", "title", "register of twelve")

	r := b.get("/archive/records/" + id)
	r.mustContain(t, `id="page-10"`, "pages 1 to 10", `href="/archive/records/`+id+
		`?from=11#pages" rel="next"`)
	r.mustNotContain(t, `id="page-11"`)
	r = b.get("/archive/records/" + id + "?from=11")
	r.mustContain(t, `id="page-11"`, `id="page-12"`, "pages 11 to 12")
	r.mustNotContain(t, `id="page-10"`)
	for _, from := range []string{"99", "9223372036854775807", "9223372036854775800"} {
		r = b.get("/archive/records/" + id + "?from=" + from)
		r.mustContain(t, `id="page-11"`, `id="page-12"`, "pages 11 to 12")
	}

	// The title's word is on every page as far as search goes.
	r = b.get("/archive/search?q=twelve")
	r.mustContain(t, "from=11&amp;q=twelve#page-12")
}

// TestOutdatedIndexIsNamed: a search index built by an older Sijil, whose
// tokens miss some spellings, is pointed out on the search page in the
// archivist's language, with what to do about it; a current one is not.
func TestOutdatedIndexIsNamed(t *testing.T) {
	old := indextest.Old(t)
	p := newPortal(t, func(c *web.Config) { c.Search = old })
	b := p.browser(t)
	b.signInStaff(p, "archivist", accounts.RoleArchivist)
	b.get("/archive/search").mustContain(t, "بإصدار أقدم", "sijil reindex")
	b.lang = "en"
	b.get("/archive/search?q=x").mustContain(t, "built by an older version", "sijil reindex")

	_, current := archivistAt(t)
	current.get("/archive/search").mustNotContain(t, "older version")
}

// TestUploadMarksEveryWrongField: every wrong field of an upload is marked
// at once, since each try means choosing the file again.
func TestUploadMarksEveryWrongField(t *testing.T) {
	_, b := archivistAt(t)
	r := b.upload("permit.tif", testScan(t, "building-administration.tif"),
		"date", "1993-13-01", "national_ids", "123456789", "title", "ab\x00cd")
	if r.status != http.StatusBadRequest {
		t.Fatalf("upload with three wrong fields: %d", r.status)
	}
	r.mustContain(t, "Some fields need correcting", "This date does not exist",
		`id="f-national_ids"`)
	if n := strings.Count(r.body, `class="ferr"`); n != 3 {
		t.Errorf("%d fields marked, want 3:\n%s", n, r.body)
	}
}
