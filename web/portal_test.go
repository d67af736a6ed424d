package web_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/notify"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/requests/certsissuer"
	"github.com/sijil-municipality/sijil/requests/notices"
	"github.com/sijil-municipality/sijil/subscriptions"
	"github.com/sijil-municipality/sijil/web"
)

// portal is the real server with every part wired, on one SQLite
// database, as 'sijil serve --demo' runs it.
type portal struct {
	srv     *httptest.Server
	handler http.Handler
	env     accountstest.Env
	office  *certstest.Office
	ingest  *archive.Ingester // the portal's own, for bulk imports beside it
}

// newPortal starts a portal; change adjusts its configuration first
// (rate limits are off unless a test sets them).
func newPortal(t *testing.T, change ...func(*web.Config)) *portal {
	t.Helper()
	o := certstest.New(t, now, certstest.Records{"rec_a": strings.Repeat("cd", 32)})
	for _, migrate := range []func(context.Context, *sql.DB, string) error{
		accounts.Migrate, notify.Migrate, audit.Migrate, requests.Migrate,
		subscriptions.Migrate,
	} {
		if err := migrate(context.Background(), o.DB, sijil.DialectSQLite); err != nil {
			t.Fatal(err)
		}
	}
	env := accountstest.NewOn(t, o.DB)
	office := newOffice(t, o, env)
	keySetDoc, err := o.Keyring.SignKeySet(o.KeySet())
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{
		Verifier: o.Verifier(),
		Registry: o.Registry(),
		Codes:    o.Issuer.Store,
		Log:      o.Log,
		KeySet:   keySetDoc,
		Revocations: func(ctx context.Context) ([]byte, error) {
			return o.Issuer.SignedRevocationList(ctx, o.Keyring)
		},
		Accounts: env.Accounts,
		Demo:     true,
		Outbox:   env.Outbox,
		Office:   office,
	}
	for _, c := range change {
		c(&cfg)
	}
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &portal{srv: srv, handler: h, env: env, office: o, ingest: cfg.Office.Ingester}
}

// newOffice wires the office behind the portal on the certificate
// office's database and blob folder, as 'sijil serve' does: requests that
// issue through certs, notices to the outbox, the billing snapshot, the
// archive with its search index and a Tesseract ingester.
func newOffice(t *testing.T, o *certstest.Office, env accountstest.Env) web.Office {
	t.Helper()
	reqs, err := requests.New(requests.Config{DB: o.DB, Blobs: o.Blobs,
		Issuer:   certsissuer.New(o.DB, o.Issuer),
		Notifier: notices.Sender{Users: env.Accounts, Notifier: env.Outbox},
		Now:      env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := subscriptions.New(subscriptions.Config{DB: o.DB, Secret: make([]byte, 32),
		Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	store := archive.NewStore(o.DB).WithIndexer(index.Archive{Index: idx})
	return web.Office{
		Requests:      reqs,
		Subscriptions: subs,
		Archive:       store,
		Blobs:         o.Blobs,
		Search:        idx,
		Ingester: &archive.Ingester{Blobs: o.Blobs, DB: o.DB,
			Index: index.Archive{Index: idx}},
		Certs: o.Issuer,
		Audit: o.DB,
	}
}

// browser is a person at a browser: it keeps cookies, sends the headers a
// browser sends on a same-site form, and does not follow redirects, so
// that tests see them.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	lang   string // Accept-Language, if set
}

func (p *portal) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: p.srv.URL, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}}
}

// response is what came back: status, redirect target, body, headers.
type response struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header.Get("Location"), string(body), resp.Header}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// post sends a form as a browser does from one of the site's own pages.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	return b.postFrom(b.base, path, form)
}

// postFrom sends a form as a browser does from a page of origin.
func (b *browser) postFrom(origin, path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	site := "same-origin"
	if origin != b.base {
		site = "cross-site"
	}
	req.Header.Set("Sec-Fetch-Site", site)
	return b.do(req)
}

// signInCitizen registers citizen n and signs the browser in as them.
func (b *browser) signInCitizen(p *portal, n int) accounts.User {
	b.t.Helper()
	u, pw := p.env.Citizen(b.t, n)
	r := b.post("/login", url.Values{"national_id": {u.NationalID}, "password": {pw}})
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	return u
}

// signInAgain signs the browser in as u, a citizen p.env.Citizen made.
func (b *browser) signInAgain(u accounts.User) {
	b.t.Helper()
	r := b.post("/login", url.Values{"national_id": {u.NationalID},
		"password": {accountstest.CitizenPassword}})
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("sign in: %d %s", r.status, r.body)
	}
}

// signInStaff makes a staff member with roles and signs the browser in.
func (b *browser) signInStaff(p *portal, login string, roles ...string) accounts.User {
	b.t.Helper()
	c := p.env.Staff(b.t, login, roles...)
	r := b.post("/staff/login", url.Values{"login": {login}, "password": {c.Password},
		"totp": {p.env.Code(b.t, c, 0)}})
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("staff sign in: %d %s", r.status, r.body)
	}
	return c.User
}

func (r response) mustContain(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("page lacks %q:\n%s", w, r.body)
		}
	}
}

func (r response) mustNotContain(t *testing.T, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(r.body, w) {
			t.Errorf("page shows %q:\n%s", w, r.body)
		}
	}
}
