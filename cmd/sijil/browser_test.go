package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/internal/browsertest"
)

// The browser tests drive the real binary, 'sijil serve --demo', with a
// real Chromium, in Arabic as a citizen's phone asks and in English
// through the switch in the header, and save a screenshot of each page
// in both ($SIJIL_SHOTS keeps them for a person to look at).

// demo is a running 'sijil serve --demo' on a fresh data folder.
type demo struct {
	base      string // where it serves, http://127.0.0.1:PORT
	verifyURL string // the demo certificate's verify link, as its QR holds it
	recordID  string // the demo permit's archive record
	data      string
}

// startDemo runs 'sijil serve --demo' on a free loopback port until the
// test ends, and reads from what it prints where it serves and where the
// demo certificate verifies.
func startDemo(t *testing.T) demo {
	t.Helper()
	d := demo{data: filepath.Join(t.TempDir(), "data")}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, sijilBin, "serve", "--demo", "--data", d.data,
		"--addr", "127.0.0.1:0")
	var logs syncBuffer
	cmd.Stderr = &logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("sijil serve --demo printed:\n%s", logs.String())
		}
	})

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			lines <- sc.Text()
		}
	}()
	// The first start renders, OCRs and signs the demo data.
	timeout := time.After(90 * time.Second)
	for d.base == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("sijil serve --demo stopped:\n%s", logs.String())
			}
			if v, ok := strings.CutPrefix(line, "Verify it at: "); ok {
				d.verifyURL = v
			}
			if v, ok := strings.CutPrefix(line, "Demo record "); ok {
				d.recordID, _, _ = strings.Cut(v, " ")
			}
			if v, ok := strings.CutPrefix(line, "Sijil is serving on "); ok {
				d.base = v
			}
		case <-timeout:
			t.Fatalf("sijil serve --demo did not start:\n%s", logs.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	if d.verifyURL == "" {
		t.Fatalf("sijil serve --demo printed no verify link:\n%s", logs.String())
	}
	return d
}

// texts is the portal's catalogs, read from web/i18n, so that the tests
// find fields and buttons by the words a person reads in each language.
type texts map[string]map[string]string

func loadTexts(t *testing.T) texts {
	t.Helper()
	files, err := filepath.Glob("../../web/i18n/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogs in web/i18n: %v", err)
	}
	tx := texts{"ar": {}, "en": {}}
	for _, f := range files {
		lang := strings.TrimPrefix(filepath.Ext(strings.TrimSuffix(f, ".json")), ".")
		if tx[lang] == nil {
			t.Fatalf("catalog %s: unknown language %q", f, lang)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			// A counting text is an object of plural forms; the journey
			// finds none of them on a page, so it keeps only plain texts.
			var text string
			if json.Unmarshal(v, &text) == nil {
				tx[lang][k] = text
			}
		}
	}
	return tx
}

// in returns the text of key in lang, failing the test for a key the
// catalogs lack.
func (tx texts) in(t *testing.T, lang, key string) string {
	t.Helper()
	v, ok := tx[lang][key]
	if !ok {
		t.Fatalf("no text %q in the %s catalog", key, lang)
	}
	return v
}

// arabic returns tx.in for Arabic, the language the tests' people read.
func (tx texts) arabic(t *testing.T) func(key string) string {
	return func(key string) string {
		t.Helper()
		return tx.in(t, "ar", key)
	}
}

// page checks the page the browser shows is in lang with its direction,
// fits the phone without scrolling sideways and shows no message key in
// place of a text (what a key missing from every catalog looks like), and
// saves its screenshot.
func page(t *testing.T, b *browsertest.Browser, tx texts, name, lang string) {
	t.Helper()
	wantDir := map[string]string{"ar": "rtl", "en": "ltr"}[lang]
	if got, dir := b.Lang(); got != lang || dir != wantDir {
		t.Errorf("%s: lang=%q dir=%q, want %s %s", name, got, dir, lang, wantDir)
	}
	if w := b.SideScroll(); w > 0 {
		t.Errorf("%s in %s: the page is %d px wider than a %d px phone", name, lang, w,
			browsertest.PhoneWidth)
	}
	if keys := tx.keyLike().FindAllString(b.Text(""), -1); keys != nil {
		t.Errorf("%s in %s shows message keys, not texts: %q", name, lang, keys)
	}
	for _, p := range b.AccessibilityProblems() {
		t.Errorf("%s in %s: %s", name, lang, p)
	}
	b.Shot(name)
}

// keyLike matches what looks like a message key of one of the catalogs'
// areas (citizen.x, requests.state_y).
func (tx texts) keyLike() *regexp.Regexp {
	areas := map[string]bool{}
	for _, cat := range tx {
		for k := range cat {
			area, _, _ := strings.Cut(k, ".")
			areas[regexp.QuoteMeta(area)] = true
		}
	}
	return regexp.MustCompile(`\b(?:` + strings.Join(slices.Sorted(maps.Keys(areas)), "|") +
		`)\.[a-z][a-z0-9_]*\b`)
}

// bothLanguages checks and shoots the page in Arabic, switches to English
// with the link in the header, checks and shoots it again, and switches
// back: the switch must come back to the same page with its search or
// filter (but for its #part, which browsers never send, and a one-time
// notice such as ?done=approved, which a page may leave out).
func bothLanguages(t *testing.T, b *browsertest.Browser, tx texts, name string) {
	t.Helper()
	url := withoutNotice(t, b.URL())
	page(t, b, tx, name, "ar")
	b.In("header").Follow(tx.in(t, "ar", "layout.other_lang"))
	if got := withoutNotice(t, b.URL()); got != url {
		t.Errorf("%s: the switch to English went to %s, want %s", name, got, url)
	}
	page(t, b, tx, name, "en")
	b.In("header").Follow(tx.in(t, "en", "layout.other_lang"))
	if got := withoutNotice(t, b.URL()); got != url {
		t.Errorf("%s: the switch back to Arabic went to %s, want %s", name, got, url)
	}
	if lang, _ := b.Lang(); lang != "ar" {
		t.Fatalf("%s: the switch back left the page in %q", name, lang)
	}
}

// withoutNotice is rawURL without its #part and the query parameters that
// only say what was just done.
func withoutNotice(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("the browser is at %q: %v", rawURL, err)
	}
	q := u.Query()
	for _, notice := range []string{"done", "new", "answered", "sent", "closed", "welcome"} {
		q.Del(notice)
	}
	u.RawQuery, u.Fragment = q.Encode(), ""
	return u.String()
}

// outboxTOTP reads the demo staff's current code where a demo user
// finds it, at /dev/outbox.
func outboxTOTP(t *testing.T, b *browsertest.Browser, base string) string {
	t.Helper()
	b.Go(base + "/dev/outbox")
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(b.Text("main strong"))
	if code == "" {
		t.Fatalf("no 6-digit code on /dev/outbox: %q", b.Text("main"))
	}
	return code
}

// signInStaff signs a demo staff member in with the code from the outbox.
func signInStaff(t *testing.T, b *browsertest.Browser, tx texts, base, login string) {
	t.Helper()
	code := outboxTOTP(t, b, base)
	b.Go(base + "/staff/login")
	b.Fill(tx.in(t, "ar", "field.login"), login)
	b.Fill(tx.in(t, "ar", "field.password"), "demo-staff-pass-1")
	b.Fill(tx.in(t, "ar", "field.totp"), code)
	if status := b.In("main").Press(tx.in(t, "ar", "login.submit")); status != http.StatusOK {
		t.Fatalf("staff sign-in of %s: status %d", login, status)
	}
}

func signOut(t *testing.T, b *browsertest.Browser, tx texts) {
	t.Helper()
	b.In("header").Press(tx.in(t, "ar", "layout.sign_out"))
	b.MustSay(tx.in(t, "ar", "layout.sign_in"))
}

// TestBrowserPortal walks the pages that exist for everyone: the home
// page, registering, signing in, the account page, the language switch,
// a staff sign-in with its second factor, and the verify pages of the demo
// certificate and of a certified copy.
func TestBrowserPortal(t *testing.T) {
	d := startDemo(t)
	tx := loadTexts(t)
	b := browsertest.Start(t)

	if status := b.Go(d.base + "/"); status != http.StatusOK {
		t.Fatalf("home page: status %d", status)
	}
	b.MustSay(tx.in(t, "ar", "home.heading"), "115")
	bothLanguages(t, b, tx, "01-home")

	// A new citizen registers from the link on the home page, typing the
	// national ID in Arabic-Indic digits as many phones' keyboards do.
	b.In("main").Follow(tx.in(t, "ar", "register.title"))
	bothLanguages(t, b, tx, "02-register")
	b.Fill(tx.in(t, "ar", "field.national_id"), "٤٠٣٥١٧٢٦١")
	b.Fill(tx.in(t, "ar", "field.full_name"), "سلمى خليل النجار")
	b.Fill(tx.in(t, "ar", "field.phone"), "0599765432")
	b.Fill(tx.in(t, "ar", "field.new_password"), "زيتون وبحر 2023")
	b.Fill(tx.in(t, "ar", "field.password_again"), "زيتون وبحر 2023")
	if status := b.Press(tx.in(t, "ar", "register.submit")); status != http.StatusOK {
		t.Fatalf("register: status %d", status)
	}
	b.MustSay(tx.in(t, "ar", "account.welcome"), "سلمى خليل النجار", "••••••261")
	page(t, b, tx, "03-registered", "ar")
	if strings.Contains(b.Text(""), "403517261") {
		t.Error("the account page shows the national ID in clear")
	}

	// Signing out and in again lands on the account page.
	signOut(t, b, tx)
	b.In("header").Follow(tx.in(t, "ar", "layout.sign_in"))
	bothLanguages(t, b, tx, "04-login")
	b.Fill(tx.in(t, "ar", "field.national_id"), "403517261")
	b.Fill(tx.in(t, "ar", "field.password"), "زيتون وبحر 2023")
	b.In("main").Press(tx.in(t, "ar", "login.submit"))
	if !strings.HasSuffix(b.URL(), "/account") {
		t.Fatalf("after signing in: %s, want /account", b.URL())
	}
	b.MustSay(tx.in(t, "ar", "account.title"), "سلمى خليل النجار")
	bothLanguages(t, b, tx, "05-account")
	signOut(t, b, tx)

	// A clerk signs in with the code the demo shows in its outbox.
	b.Go(d.base + "/dev/outbox")
	bothLanguages(t, b, tx, "06-outbox")
	signInStaff(t, b, tx, d.base, "demo-clerk")
	if !strings.HasSuffix(b.URL(), "/staff") {
		t.Fatalf("after the staff sign-in: %s, want /staff", b.URL())
	}
	b.MustSay(tx.in(t, "ar", "staff.title"), "سامر عيسى", tx.in(t, "ar", "role.clerk"))
	bothLanguages(t, b, tx, "07-staff")
	signOut(t, b, tx)

	// The demo certificate's QR link, as a bank teller's phone opens it.
	if status := b.Go(d.verifyURL); status != http.StatusOK {
		t.Fatalf("verify page: status %d", status)
	}
	b.MustSay("الإفادة أصلية وسارية", "Genuine and current", "أحمد محمود الخطيب",
		"••••••782", "الرمال")
	page(t, b, tx, "08-verify", "ar")

	// A certified copy's page names its original by a 64-digit hash, which
	// must wrap on a phone rather than push the page sideways. The copy is
	// issued beside the running server, as a clerk's command line would.
	work := t.TempDir()
	pdf := issueKind(t, d.data, work, d.base, "copy", map[string]any{"record": d.recordID})
	if status := b.Go(decodeQRs(t, pdf, work)[0]); status != http.StatusOK {
		t.Fatalf("verify page of the copy: status %d", status)
	}
	b.MustSay("الإفادة أصلية وسارية", "demo-building-permit-1998.pdf")
	page(t, b, tx, "09-verify-copy", "ar")

	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("pages logged errors in the browser: %q", errs)
	}
}
