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
