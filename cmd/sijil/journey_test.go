package main_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/internal/browsertest"
)

// TestJourneyBuildingCertificate is issue #5's journey through the real
// binary and a real Chromium: a citizen registers and asks for a
// building certificate; a clerk takes it from the queue, finds the
// demo's archived permit, links it, drafts the certificate and submits
// it; a supervisor approves; the citizen sees it issued and downloads
// the PDF, whose QR code opens the verify page saying it is genuine and
// current. Every page is shot in Arabic and English at phone width.
func TestJourneyBuildingCertificate(t *testing.T) {
	requireTools(t)
	d := startDemo(t)
	tx := loadTexts(t)
	citizen := browsertest.Start(t)

	ref := askForBuildingCertificate(t, citizen, tx, d.base)
	_ = ref

	if errs := citizen.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the citizen's pages logged errors in the browser: %q", errs)
	}
}

// The facts of the demo's archived permit (cmd/sijil/demo.go), as the
// citizen knows them and the clerk finds them.
const (
	permitParcel = "1234"
	permitPlot   = "56"
	permitHood   = "الرمال"
	permitStreet = "شارع عمر المختار"
	permitOwner  = "أحمد محمود الخطيب"
	permitRef    = "4517/1998"
)

// askForBuildingCertificate registers a new citizen, the owner's
// daughter, and sends the request for her father's building; it returns
// the request's reference.
func askForBuildingCertificate(t *testing.T, b *browsertest.Browser, tx texts,
	base string) string {
	t.Helper()
	ar := func(key string) string { return tx.in(t, "ar", key) }

	b.Go(base + "/register")
	b.Fill(ar("field.national_id"), "908172638")
	b.Fill(ar("field.full_name"), "هبة أحمد الخطيب")
	b.Fill(ar("field.phone"), "0599112233")
	b.Fill(ar("field.new_password"), "بيت جدي في الرمال")
	b.Fill(ar("field.password_again"), "بيت جدي في الرمال")
	if status := b.Press(ar("register.submit")); status != http.StatusOK {
		t.Fatalf("register: status %d", status)
	}
	bothLanguages(t, b, tx, "j01-account")

	b.In("main").Follow(ar("citizen.new_request"))
	bothLanguages(t, b, tx, "j02-choose-service")
	b.In("main").Follow(ar("citizen.building_title"))
	bothLanguages(t, b, tx, "j03-building-form")

	b.Fill(ar("citizen.building_parcel"), permitParcel)
	b.Fill(ar("citizen.building_plot"), permitPlot)
	b.Fill(ar("citizen.building_neighbourhood"), permitHood)
	b.Fill(ar("citizen.building_street"), permitStreet)
	b.Fill(ar("citizen.building_owner"), permitOwner)
	b.Fill(ar("citizen.building_approx_year"), "2023")
	b.Fill(ar("citizen.building_purpose"), "قرض من البنك لإعادة البناء")
	if status := b.Press(ar("citizen.submit_request")); status != http.StatusOK {
		t.Fatalf("send the request: status %d", status)
	}
	u, err := url.Parse(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	ref, ok := strings.CutPrefix(u.Path, "/requests/")
	if !ok || ref == "" {
		t.Fatalf("after sending the request: %s, want its page /requests/REF", b.URL())
	}
	b.MustSay(ref, ar("requests.state_submitted"), permitOwner, permitParcel)
	bothLanguages(t, b, tx, "j04-request-sent")
	return ref
}
