package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil/accounts"
)

// access says who may reach each route: "METHOD /pattern" as chi
// registers it → who. Every route the server registers must have a row,
// and every row a route: TestAuthorization fails otherwise. Add the rows
// of the routes you add to the table of their area: accessCitizen,
// accessClerk, accessArchivist or accessAdmin, each in its area's test file.
var access = joinAccess(accessBase, accessCitizen, accessClerk, accessArchivist, accessAdmin)

// joinAccess is the union of the areas' tables; a route in two of them is
// a mistake, and panics at the start of the tests.
func joinAccess(tables ...map[string]who) map[string]who {
	all := map[string]who{}
	for _, t := range tables {
		for k, w := range t {
			if _, dup := all[k]; dup {
				panic("access: route " + k + " is in two areas' tables")
			}
			all[k] = w
		}
	}
	return all
}

// accessBase is the public, sign-in and account routes of server.go.
var accessBase = map[string]who{
	// Public: the home page and verification, with no account.
	"GET /":                            everyone,
	"GET /healthz":                     everyone,
	"GET /lang":                        everyone,
	"GET /verify":                      everyone,
	"POST /verify/pdf":                 everyone,
	"GET /V/{token}":                   everyone,
	"GET /api/v1/verify/{token}":       everyone,
	"GET /.well-known/sijil-keys.json": everyone,
	"GET /.well-known/sijil-revocations.json": everyone,
	"GET /log/checkpoint":                     everyone,
	"GET /log/leaf/{index}":                   everyone,
	"GET /log/proof/inclusion":                everyone,
	"GET /log/proof/consistency":              everyone,

	// Signing in, up and out.
	"GET /login":          everyone,
	"POST /login":         everyone,
	"GET /register":       everyone,
	"POST /register":      everyone,
	"GET /reset":          everyone,
	"POST /reset":         everyone,
	"POST /reset/confirm": everyone,
	"GET /staff/login":    everyone,
	"POST /staff/login":   everyone,
	"POST /logout":        everyone,
	"GET /dev/outbox":     everyone, // only with --demo, whose data is public

	// Anyone signed in.
	"GET /password":  signedIn,
	"POST /password": signedIn,

	// Citizens.
	"GET /account": citizens,

	// Staff.
	"GET /staff": staffWith(),
}

// who is the set of people allowed through a route's gate.
type who struct {
	anonymous bool
	citizen   bool
	staff     bool     // any staff member…
	roles     []string // …or, when set, only those holding one of these
}

var (
	everyone = who{anonymous: true, citizen: true, staff: true}
	citizens = who{citizen: true}
	signedIn = who{citizen: true, staff: true}
)

// staffWith is staff holding one of roles; with none, any staff member.
func staffWith(roles ...string) who { return who{staff: true, roles: roles} }

// persona is one kind of visitor the table is checked for.
type persona struct {
	name  string
	roles []string // staff roles; nil for a citizen or anonymous
}

var personas = []persona{
	{"anonymous", nil}, {"citizen", nil},
	{accounts.RoleClerk, []string{accounts.RoleClerk}},
	{accounts.RoleSupervisor, []string{accounts.RoleSupervisor}},
	{accounts.RoleArchivist, []string{accounts.RoleArchivist}},
	{accounts.RoleAdmin, []string{accounts.RoleAdmin}},
}

// allows says whether w lets persona p through.
func (w who) allows(p persona) bool {
	switch p.name {
	case "anonymous":
		return w.anonymous
	case "citizen":
		return w.citizen
	}
	if !w.staff {
		return false
	}
	return len(w.roles) == 0 || slices.ContainsFunc(p.roles, func(r string) bool {
		return slices.Contains(w.roles, r)
	})
}

// urlParam matches a chi parameter in a pattern.
var urlParam = regexp.MustCompile(`\{[^}]*\}`)

func TestAuthorization(t *testing.T) {
	p := newPortal(t)
	users := map[string]string{} // persona → user id
	citizen, _ := p.env.Citizen(t, 1)
	users["citizen"] = citizen.ID
	for _, ps := range personas[2:] {
		users[ps.name] = p.env.Staff(t, "authz-"+ps.name, ps.roles...).User.ID
	}

	seen := map[string]bool{}
	err := chi.Walk(p.handler.(chi.Routes), func(method, route string, _ http.Handler,
		_ ...func(http.Handler) http.Handler) error {
		key := method + " " + route
		seen[key] = true
		w, ok := access[key]
		if !ok {
			t.Errorf("route %q has no row in the access table (authz_test.go): add one", key)
			return nil
		}
		path := urlParam.ReplaceAllString(route, "x1")
		for _, ps := range personas {
			got := reach(t, p, method, path, users[ps.name])
			if want := w.allows(ps); got != want {
				t.Errorf("%s as %s: let through %v, want %v", key, ps.name, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range access {
		if !seen[key] {
			t.Errorf("the access table has a row for %q, which no route serves", key)
		}
	}
}

// reach requests path as the user (none if empty), from a page of the
// site itself, and reports whether the request got past the gates. It
// asks for JSON, so that a gate's refusal names itself by its key: a
// handler's own 401 (a wrong password) or 403 is past the gates.
func reach(t *testing.T, p *portal, method, path, userID string) bool {
	t.Helper()
	req, err := http.NewRequest(method, p.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", p.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	if userID != "" {
		// A fresh session per request: a route like /logout ends the one
		// it is given.
		token, _, err := p.env.Accounts.StartSession(context.Background(), userID)
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: "sijil_session", Value: token})
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		return true
	}
	// The gates answer in JSON when asked to; a form page shown again
	// after a wrong password is the handler's answer.
	var answer struct{ Key string }
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return true
	}
	return !gateKeys[answer.Key]
}

// gateKeys are the error keys of the refusals of RequireCitizen,
// RequireStaff and the cross-origin check.
var gateKeys = map[string]bool{"web.sign_in_first": true, "web.forbidden": true,
	"web.cross_origin": true}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}
