package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
)

// A citizen opens a complaint with a position and a photo, the office
// answers, the citizen follows up and then closes it; the pages name the
// hotline throughout.
func TestCitizenTicketConversation(t *testing.T) {
	p, svc := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)

	form := b.get("/tickets/new")
	form.mustContain(t, `href="tel:115"`, `name="ticket_kind"`, `name="lat"`, `name="photo"`)
	ref := refOf(t, b.sendForm("/tickets/new", url.Values{"ticket_kind": {"complaint"},
		"category": {"water"}, "text": {"انقطعت المياه منذ ثلاثة أيام"},
		"place": {"خلف المسجد القديم"}, "lat": {"٣١٫٥٠١٧"}, "lon": {"34.4668"}},
		upload{"photo", "leak.jpg", photoWithGPS(t)}))

	page := b.get("/tickets/" + ref + "?new=1")
	page.mustContain(t, ref, "شكوى", "مفتوح", "انقطعت المياه منذ ثلاثة أيام",
		"خلف المسجد القديم", `<bdi dir="ltr">31.5017</bdi>`, `<bdi dir="ltr">34.4668</bdi>`)
	photo := fileLink(t, b, "/tickets/"+ref)
	if r := b.get(photo); r.status != http.StatusOK ||
		r.header.Get("Content-Type") != "image/jpeg" || strings.Contains(r.body, "GPSLatitude") {
		t.Errorf("photo: %d %s, still has GPS: %v", r.status, r.header.Get("Content-Type"),
			strings.Contains(r.body, "GPSLatitude"))
	}
	if list := b.get("/tickets"); !strings.Contains(list.body, ref) ||
		!strings.Contains(list.body, "tel:115") {
		t.Errorf("/tickets lacks the ticket or the hotline:\n%s", list.body)
	}

	staff := staffActor(t, p, "clerk-t", accounts.RoleClerk)
	if _, err := svc.Reply(context.Background(), staff, ref, "أُرسل فريق الصيانة اليوم.",
		false); err != nil {
		t.Fatal(err)
	}
	b.get("/tickets/"+ref).mustContain(t, "أُرسل فريق الصيانة اليوم.", "تم الرد")

	if r := b.post("/tickets/"+ref+"/follow-up", url.Values{"message": {""}}); r.status !=
		http.StatusBadRequest || !strings.Contains(r.body, `id="f-message-error"`) {
		t.Errorf("empty follow-up: %d", r.status)
	}
	// A follow-up past the form's 64 KB was read as empty: "write your
	// message".
	huge := url.Values{"message": {strings.Repeat("لم يصل أحد بعد ", 6000)}}
	if r := b.post("/tickets/"+ref+"/follow-up", huge); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, `id="f-message-error"`) ||
		!strings.Contains(r.body, "اختصر الرسالة: ٢٠٠٠ حرف على الأكثر") {
		t.Errorf("follow-up over 64 KB: %d, no 'at most 2000 characters' by the field", r.status)
	}
	r := b.post("/tickets/"+ref+"/follow-up", url.Values{"message": {"لم يصل أحد بعد"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("follow-up: %d\n%s", r.status, r.body)
	}
	b.get(r.location).mustContain(t, "لم يصل أحد بعد", "مفتوح")

	r = b.post("/tickets/"+ref+"/close", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("close: %d\n%s", r.status, r.body)
	}
	closed := b.get(r.location)
	closed.mustContain(t, "مغلق")
	closed.mustNotContain(t, `action="/tickets/`+ref+`/follow-up"`)
}

// A ticket form with no kind, no category and no text keeps what was
// typed and says what is missing next to each field.
func TestBadTicketFormShowsFieldErrors(t *testing.T) {
	p, _ := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)
	r := b.sendForm("/tickets/new", url.Values{"place": {"دوار الشهداء"}, "lat": {"31.5"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad ticket: %d", r.status)
	}
	r.mustContain(t, `value="دوار الشهداء"`, `value="31.5"`, `id="f-ticket_kind-error"`,
		`id="f-category-error"`, `id="f-text-error"`, `id="f-lat-error"`)
}

// Another citizen's ticket, its photo and its forms are 404.
func TestAnotherCitizensTicketIsNotFound(t *testing.T) {
	p, _ := citizenPortal(t)
	owner := p.browser(t)
	owner.signInCitizen(p, 1)
	ref := refOf(t, owner.sendForm("/tickets/new", url.Values{"ticket_kind": {"inquiry"},
		"category": {"billing"}, "text": {"كم رصيدي؟"}},
		upload{"photo", "bill.jpg", photoWithGPS(t)}))
	photo := fileLink(t, owner, "/tickets/"+ref)

	other := p.browser(t)
	other.signInCitizen(p, 2)
	for _, path := range []string{"/tickets/" + ref, photo} {
		if r := other.get(path); r.status != http.StatusNotFound {
			t.Errorf("another citizen's GET %s: %d, want 404", path, r.status)
		}
	}
	for _, path := range []string{"/tickets/" + ref + "/follow-up", "/tickets/" + ref + "/close"} {
		if r := other.post(path, url.Values{"message": {"x"}}); r.status != http.StatusNotFound {
			t.Errorf("another citizen's POST %s: %d, want 404", path, r.status)
		}
	}
	if owner.get("/tickets/"+ref).mustContain(t, "مفتوح"); strings.Contains(
		other.get("/tickets").body, ref) {
		t.Errorf("another citizen's list shows %s", ref)
	}
}

// A mistyped ticket number was told it should look like a request's,
// B-2026-4817-3925.
func TestBadTicketNumberGivesATicketExample(t *testing.T) {
	p, _ := citizenPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 1)
	r := b.get("/tickets/S-2026-12")
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad ticket number: %d", r.status)
	}
	r.mustContain(t, "هذا ليس رقم شكوى أو استفسار", "S-2026-4817-3925")
	r.mustNotContain(t, "B-2026-4817-3925")
	b.get("/requests/B-2026-12").mustContain(t, "B-2026-4817-3925")
}
