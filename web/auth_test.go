package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
	"github.com/sijil-municipality/sijil/web"
)

func TestCitizenRegistersSignsOutAndIn(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	id := accountstest.NationalID(1234)

	b.get("/register").mustContain(t, `<form method="post" action="/register">`,
		`<label for="national_id">`)
	r := b.post("/register", url.Values{"national_id": {id}, "full_name": {"سلمى يوسف"},
		"phone": {"0599123456"}, "password": {"a good password"},
		"password2": {"a good password"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/account") {
		t.Fatalf("register: %d → %q\n%s", r.status, r.location, r.body)
	}
	acct := b.get("/account")
	acct.mustContain(t, "سلمى يوسف", "••••••"+id[6:], "0599123456",
		`action="/logout"`)
	acct.mustNotContain(t, id)

	if r := b.post("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if r := b.get("/account"); r.status != http.StatusSeeOther ||
		r.location != "/login?next=%2Faccount" {
		t.Fatalf("account after logout: %d → %q", r.status, r.location)
	}

	r = b.post("/login", url.Values{"national_id": {id}, "password": {"a good password"},
		"next": {"/account"}})
	if r.status != http.StatusSeeOther || r.location != "/account" {
		t.Fatalf("login: %d → %q", r.status, r.location)
	}
	b.get("/account").mustContain(t, "سلمى يوسف")
}

func TestFormsShowErrorsInTheReadersLanguage(t *testing.T) {
	p := newPortal(t)
	taken, _ := p.env.Citizen(t, 1)
	ok := url.Values{"national_id": {accountstest.NationalID(2)}, "full_name": {"سلمى يوسف"},
		"phone": {"0599123456"}, "password": {"a good password"},
		"password2": {"a good password"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range ok {
			f[key] = vals
		}
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name   string
		lang   string
		form   url.Values
		status int
		want   string
	}{
		{"check digit, Arabic", "", with("national_id", "123456789"), 400,
			"رقم الهوية يجب أن يكون"},
		{"check digit, English", "en", with("national_id", "123456789"), 400,
			"The national ID must be the 9 digits"},
		{"passwords differ", "", with("password2", "another password"), 400,
			"كلمتا المرور غير متطابقتين"},
		{"short password", "en", with("password", "short"), 400, "at least 8 characters"},
		{"phone", "", with("phone", "abc"), 400, "رقم هاتف محمول"},
		{"ID taken", "en", with("national_id", taken.NationalID), 409,
			"An account already exists"},
		{"common password, English", "en", with("password", "password"), 400,
			"too common or too easy to guess"},
		{"common password, Arabic", "", with("password", "password"), 400,
			"شائعة أو سهلة التخمين"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := p.browser(t)
			b.lang = tt.lang
			r := b.post("/register", tt.form)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			r.mustContain(t, tt.want, `role="alert"`)
			// What was typed comes back, except the password.
			r.mustContain(t, `value="سلمى يوسف"`)
			r.mustNotContain(t, "a good password")
		})
	}
}

// TestRegisterMarksEveryWrongField pins the trial's form with four
// mistakes that showed one error and marked no field.
func TestRegisterMarksEveryWrongField(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.lang = "en"
	r := b.post("/register", url.Values{"national_id": {"123456789"},
		"full_name": {" "}, "phone": {"call me"}, "password": {"a good password"},
		"password2": {"a good passwort"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400\n%s", r.status, r.body)
	}
	r.mustContain(t, "Some fields need correcting",
		`id="national_id-error">The national ID must be the 9 digits`,
		`aria-describedby="national_id-error national_id_hint" aria-invalid="true"`,
		`id="full_name-error">Write your full name`,
		`aria-describedby="full_name-error" aria-invalid="true"`,
		`id="phone-error">Write a mobile number`,
		`aria-describedby="phone-error phone_hint" aria-invalid="true"`,
		`id="password2-error">The two passwords are not the same`,
		`aria-describedby="password2-error" aria-invalid="true"`,
		`value="123456789"`, `value="call me"`)
	r.mustNotContain(t, "a good password", `id="password-error"`)
}

func TestCrossOriginFormsAreRefused(t *testing.T) {
	p := newPortal(t)
	u, pw := p.env.Citizen(t, 3)
	form := url.Values{"national_id": {u.NationalID}, "password": {pw}}

	b := p.browser(t)
	r := b.postFrom("https://evil.example", "/login", form)
	if r.status != http.StatusForbidden {
		t.Fatalf("cross-origin sign-in: %d, want 403", r.status)
	}
	r.mustContain(t, "رُفض هذا النموذج لأنه أُرسل من موقع آخر")

	// Without Origin and Sec-Fetch-Site, another site's Referer is enough.
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/login",
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", "https://evil.example/x")
	if r := b.do(req); r.status != http.StatusForbidden {
		t.Errorf("a post with another site's Referer: %d, want 403", r.status)
	}

	// A signed-in citizen is not signed out by another site either.
	b.signInCitizen(p, 4)
	if r := b.postFrom("https://evil.example", "/logout", nil); r.status != http.StatusForbidden {
		t.Fatalf("cross-origin logout: %d, want 403", r.status)
	}
	if r := b.get("/account"); r.status != http.StatusOK {
		t.Fatalf("still signed in? %d", r.status)
	}
}

func TestSignInRotatesTheSession(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 5)
	before := sessionCookie(t, b)
	b.signInCitizen(p, 6)
	after := sessionCookie(t, b)
	if before == after {
		t.Fatal("signing in again kept the same session token")
	}
	// The old token no longer works.
	old := p.browser(t)
	u, _ := url.Parse(p.srv.URL)
	old.client.Jar.SetCookies(u, []*http.Cookie{{Name: "sijil_session", Value: before}})
	if r := old.get("/account"); r.status != http.StatusSeeOther {
		t.Fatalf("the replaced session still opens /account: %d", r.status)
	}
}

func sessionCookie(t *testing.T, b *browser) string {
	t.Helper()
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "sijil_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func TestSessionCookieIsHttpOnlyLaxAndSecureOverTLS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		p := newPortal(t, func(c *web.Config) { c.SecureCookies = secure })
		u, pw := p.env.Citizen(t, 7)
		req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/login", strings.NewReader(
			url.Values{"national_id": {u.NationalID}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		set := resp.Header.Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(set, want) {
				t.Errorf("secure=%v: cookie %q lacks %s", secure, set, want)
			}
		}
		if got := strings.Contains(set, "Secure") && strings.HasPrefix(set, "__Host-"); got != secure {
			t.Errorf("secure=%v: cookie %q", secure, set)
		}
	}
}

func TestIdleSessionSendsBackToSignIn(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.signInCitizen(p, 8)
	p.env.Clock.Advance(accounts.DefaultPolicy.CitizenIdle + time.Minute)
	if r := b.get("/account"); r.status != http.StatusSeeOther ||
		!strings.HasPrefix(r.location, "/login") {
		t.Fatalf("idle session: %d → %q", r.status, r.location)
	}
}

func TestStaffSignInNeedsTheTOTPCode(t *testing.T) {
	p := newPortal(t)
	c := p.env.Staff(t, "clerk1", accounts.RoleClerk)
	b := p.browser(t)
	b.lang = "en"
	r := b.post("/staff/login", url.Values{"login": {"clerk1"}, "password": {c.Password},
		"totp": {"000000"}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", r.status)
	}
	r.mustContain(t, "The user name, the password or the code is wrong", `value="clerk1"`)

	r = b.post("/staff/login", url.Values{"login": {"clerk1"}, "password": {c.Password},
		"totp": {p.env.Code(t, c, 0)}})
	if r.status != http.StatusSeeOther || r.location != "/staff" {
		t.Fatalf("right code: %d → %q", r.status, r.location)
	}
	b.get("/staff").mustContain(t, "Staff clerk1", "Clerk")
	// Staff accounts never act as citizens.
	if r := b.get("/account"); r.status != http.StatusForbidden {
		t.Fatalf("staff on /account: %d, want 403", r.status)
	}
}

func TestPasswordResetThroughTheOutbox(t *testing.T) {
	p := newPortal(t)
	u, _ := p.env.Citizen(t, 9)
	b := p.browser(t)
	r := b.post("/reset", url.Values{"national_id": {u.NationalID}})
	r.mustContain(t, `action="/reset/confirm"`, "إن كان لهذا الرقم حساب")

	out := b.get("/dev/outbox")
	code := regexp.MustCompile(`\b[0-9]{6}\b`).FindString(
		out.body[strings.Index(out.body, "<pre>"):])
	if out.status != http.StatusOK || code == "" {
		t.Fatalf("outbox: %d, no code:\n%s", out.status, out.body)
	}
	r = b.post("/reset/confirm", url.Values{"national_id": {u.NationalID}, "code": {code},
		"password": {"my new password"}, "password2": {"my new password"}})
	if r.status != http.StatusOK {
		t.Fatalf("confirm: %d\n%s", r.status, r.body)
	}
	r = b.post("/login", url.Values{"national_id": {u.NationalID},
		"password": {"my new password"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", r.status)
	}
}

func TestOutboxIsDemoOnly(t *testing.T) {
	p := newPortal(t, func(c *web.Config) { c.Demo = false })
	if r := p.browser(t).get("/dev/outbox"); r.status != http.StatusNotFound {
		t.Fatalf("/dev/outbox without --demo: %d, want 404", r.status)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	p := newPortal(t, func(c *web.Config) { c.AuthRate, c.AccountRate = 100, 3 })
	u, _ := p.env.Citizen(t, 10)
	b := p.browser(t)
	b.lang = "en"
	var last response
	for i := 0; i < 4; i++ {
		last = b.post("/login", url.Values{"national_id": {u.NationalID},
			"password": {"guess " + string(rune('a'+i))}})
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("4th guess at one account in a minute: %d, want 429", last.status)
	}
	last.mustContain(t, "Too many attempts")
	// Another account from the same address is not blocked by the first.
	other, pw := p.env.Citizen(t, 11)
	r := b.post("/login", url.Values{"national_id": {other.NationalID}, "password": {pw}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("another account: %d", r.status)
	}

	p = newPortal(t, func(c *web.Config) { c.AuthRate, c.AccountRate = 2, 100 })
	b = p.browser(t)
	for i := 0; i < 3; i++ {
		last = b.post("/reset", url.Values{"national_id": {accountstest.NationalID(i)}})
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("3rd code request from one address: %d, want 429", last.status)
	}
}

func TestLanguageIsChosenPerRequest(t *testing.T) {
	p := newPortal(t)
	tests := []struct {
		name   string
		accept string
		cookie string
		want   []string
	}{
		{"default Arabic", "", "", []string{`lang="ar" dir="rtl"`, "تسجيل الدخول",
			`href="/lang?to=en&amp;next=%2flogin"`}},
		{"browser asks for English", "en-GB,en;q=0.9", "", []string{`lang="en" dir="ltr"`,
			"Sign in", "العربية"}},
		{"browser asks for French", "fr", "", []string{`lang="ar"`}},
		{"the switch beats the browser", "en", "ar", []string{`lang="ar"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := p.browser(t)
			b.lang = tt.accept
			if tt.cookie != "" {
				r := b.get("/lang?to=" + tt.cookie + "&next=/login")
				if r.status != http.StatusSeeOther || r.location != "/login" {
					t.Fatalf("switch: %d → %q", r.status, r.location)
				}
			}
			b.get("/login").mustContain(t, tt.want...)
		})
	}

	// The switch never sends anyone to another site.
	r := p.browser(t).get("/lang?to=en&next=//evil.example/")
	if r.location != "/" {
		t.Fatalf("switch to another site: → %q", r.location)
	}
	// Error pages speak the reader's language.
	b := p.browser(t)
	b.lang = "en"
	r = b.get("/nope")
	if r.status != http.StatusNotFound {
		t.Fatalf("404: %d", r.status)
	}
	r.mustContain(t, "There is no such page.", "hotline")
}

func TestStaffChooseTheirOwnPasswordFirst(t *testing.T) {
	p := newPortal(t)
	c, err := p.env.Accounts.AddStaff(context.Background(), accounts.NewStaff{
		Login: "newcomer", FullName: "Rana Haddad", Roles: []string{accounts.RoleClerk}})
	if err != nil {
		t.Fatal(err)
	}
	b := p.browser(t)
	r := b.post("/staff/login", url.Values{"login": {"newcomer"}, "password": {c.Password},
		"totp": {p.env.Code(t, c, 0)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.status)
	}
	if r := b.get("/staff"); r.status != http.StatusSeeOther || r.location != "/password" {
		t.Fatalf("/staff before changing the password: %d → %q", r.status, r.location)
	}
	b.get("/password").mustContain(t, "اختر كلمة مرور خاصة بك")

	r = b.post("/password", url.Values{"current": {c.Password},
		"password": {"my own long password"}, "password2": {"my own long password"}})
	if r.status != http.StatusSeeOther || r.location != "/staff" {
		t.Fatalf("change: %d → %q\n%s", r.status, r.location, r.body)
	}
	b.get("/staff").mustContain(t, "Rana Haddad")
}
