package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/requests"
)

// linkAttr is an attribute whose value a browser turns into a URL it
// requests (href, src) or submits a form to (action, formaction).
var linkAttr = regexp.MustCompile(`\b(href|src|action|formaction)="([^"]*)"`)

// mustKeepOutOfURLs fails when id shows in any URL the page links or
// submits to, or when any form or button there submits by GET while the
// draft form (which holds id) is on the page.
func mustKeepOutOfURLs(t *testing.T, r response, id string) {
	t.Helper()
	for _, m := range linkAttr.FindAllStringSubmatch(r.body, -1) {
		u, err := url.QueryUnescape(html.UnescapeString(m[2]))
		if err != nil {
			u = m[2]
		}
		if strings.Contains(u, id) {
			t.Errorf("a national ID in %s=%q", m[1], m[2])
		}
	}
	if strings.Contains(r.body, `name="draft_holder_id"`) &&
		strings.Contains(r.body, `formmethod="get"`) {
		t.Errorf("a button sends the draft form, national ID included, by GET")
	}
}

// TestOfficeDraftKeepsNationalIDOutOfURLs pins a review's finding: the
// draft form's search, link, unlink and more-rows buttons sent the whole
// form by GET, so the holder's national ID went into the address (the
// browser's history on a shared office PC, proxy logs, the Referer of
// every thumbnail) and into the language link's next=. They post to a
// redraw that saves nothing, and the page keeps what was typed.
func TestOfficeDraftKeepsNationalIDOutOfURLs(t *testing.T) {
	p, o := officePortal(t)
	citizen, ref := submitBuilding(t, p, o, 1)
	page := "/office/requests/" + ref
	clerk := p.browser(t)
	clerk.lang = "en"
	me := clerk.signInStaff(p, "clerk", accounts.RoleClerk)
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")

	r := clerk.get(page + "?q=" + url.QueryEscape("الخطيب"))
	r.mustContain(t, `name="draft_holder_id" value="`+citizen.NationalID+`"`,
		`name="add" value="rec_a:1"`)
	mustKeepOutOfURLs(t, r, citizen.NationalID)

	// Search, link a page and ask for more floor rows, with the ID typed.
	typed := url.Values{"drafting": {"1"}, "kind": {"building_certificate"},
		"q": {"الخطيب"}, "add": {"rec_a:1"}, "rows": {"10"},
		"draft_holder_name": {"typed name"}, "draft_holder_id": {citizen.NationalID},
		"floor_level": {"الأرضي"}, "floor_area": {"180"}, "floor_use": {"تجاري"}}
	r = clerk.post(page+"/redraw", typed)
	if r.status != http.StatusOK {
		t.Fatalf("redraw: %d", r.status)
	}
	r.mustContain(t, `value="typed name"`, `name="draft_holder_id" value="`+
		citizen.NationalID+`"`, `name="link_record" value="rec_a"`,
		`name="link_pages" value="1"`, `value="180"`, `id="floor-level-10"`,
		`name="add" value="rec_a:1"`,
		`href="/lang?to=ar&amp;next=%2foffice%2frequests%2f`+ref+`"`)
	mustKeepOutOfURLs(t, r, citizen.NationalID)

	// The redraw saved nothing: the request has no draft yet.
	by := requests.Staff(me.ID, accounts.RoleClerk)
	if got, err := o.Requests.Request(t.Context(), by, ref); err != nil || got.Draft != nil {
		t.Errorf("after a redraw the request's draft is %+v (%v), want none", got.Draft, err)
	}

	// A link from before, with a draft in its query, draws no draft from it
	// and echoes none of it into the page's links.
	old := clerk.get(page + "?" + url.Values{"drafting": {"1"},
		"draft_holder_id": {"111111111"}}.Encode())
	old.mustNotContain(t, "111111111")
}

// TestOfficeSearchHidesTextOfUnreadRecords pins a review's finding: the
// page hid a hit's text only when it could read the record and saw it
// restricted, so a record the archive could not read (a failing
// database, or a record gone but still indexed) showed its page's text,
// restricted or not, with no view recorded.
func TestOfficeSearchHidesTextOfUnreadRecords(t *testing.T) {
	p, o := officePortal(t)
	_, ref := submitBuilding(t, p, o, 1)
	err := o.Search.Add(t.Context(), index.Page{RecordID: "rec_gone", Number: 2,
		Text: "محضر سري بشأن نزاع عائلة الحداد على القطعة 777"})
	if err != nil {
		t.Fatal(err)
	}
	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)

	r := clerk.get("/office/requests/" + ref + "?q=" + url.QueryEscape("الحداد"))
	r.mustContain(t, "rec_gone", "The archive cannot read this record now")
	r.mustNotContain(t, "محضر", "نزاع", "<mark>")
}
