package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
)

// TestOfficeAssignTellsAFailureFromAWrongPick pins a review's finding:
// every failure to read the chosen account, a broken database too, told
// the supervisor to "Pick a clerk", as if the choice were theirs to fix.
func TestOfficeAssignTellsAFailureFromAWrongPick(t *testing.T) {
	p, o := officePortal(t)
	_, ref := submitBuilding(t, p, o, 1)
	page := "/office/requests/" + ref
	sup := p.browser(t)
	sup.lang = "en"
	sup.signInStaff(p, "supervisor", accounts.RoleSupervisor)

	r := sup.post(page+"/assign", url.Values{"to": {"usr_nobody"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Pick a clerk.") {
		t.Errorf("assigning to no account: %d, want 400 saying Pick a clerk", r.status)
	}

	// An account whose stored national ID no longer decrypts: the server's
	// failure, not the supervisor's pick.
	other, _ := p.env.Citizen(t, 2)
	if _, err := p.office.DB.Exec(`UPDATE accounts_users SET national_id_enc = 'broken'
		WHERE id = ?`, other.ID); err != nil {
		t.Fatal(err)
	}
	r = sup.post(page+"/assign", url.Values{"to": {other.ID}})
	if r.status != http.StatusInternalServerError || strings.Contains(r.body, "Pick a clerk") {
		t.Errorf("assigning when the account cannot be read: %d, want 500 not Pick a clerk",
			r.status)
	}
}

// TestOfficeDraftIsReadAsTheRequestsKind pins a review's finding: the
// draft was read as the kind the form named, so a form whose kind was
// edited (or left from another request's page) read a building
// request's draft as a craft certificate's, and the clerk's typing was
// refused or lost. The request's own kind is what counts.
func TestOfficeDraftIsReadAsTheRequestsKind(t *testing.T) {
	p, o := officePortal(t)
	citizen, ref := submitBuilding(t, p, o, 1)
	page := "/office/requests/" + ref
	clerk := p.browser(t)
	clerk.lang = "en"
	clerk.signInStaff(p, "clerk", accounts.RoleClerk)
	mustRedirect(t, clerk.post(page+"/review", nil), page+"?done=review")

	draft := withValues(buildingDraft(citizen), url.Values{"kind": {"craft_certificate"}})
	mustRedirect(t, clerk.post(page+"/draft", draft), page+"?done=drafted")
	clerk.get(page).mustContain(t, "Awaiting approval", "شارع عمر المختار", "180")
}
