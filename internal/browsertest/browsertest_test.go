package browsertest_test

import (
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/internal/browsertest"
)

// A page in the shape of Sijil's: Arabic by default, a form with labels
// that hold hints, the same link twice, a CSP that forbids scripts.
const formPage = `<!doctype html><html lang="%s" dir="%s"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title></head>
<body><nav><a href="/">الرئيسية</a></nav><main><h1>%s</h1>
<a href="/">الرئيسية</a> <a href="/file" download>نزّل الإفادة</a>
<form method="post" action="/send">
<label for="nid">رقم الهوية <span>9 أرقام</span></label><input id="nid" name="national_id">
<label for="kind">الخدمة</label><select id="kind" name="kind">
<option value="copy">صورة طبق الأصل</option><option value="building">إفادة مبنى</option></select>
<label><input type="checkbox" name="agree" value="yes"> أوافق</label>
<label for="note">ملاحظة</label><textarea id="note" name="note"></textarea>
<button type="submit">أرسل</button></form></main></body></html>`

func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		lang, dir := "ar", "rtl"
		if !strings.HasPrefix(r.Header.Get("Accept-Language"), "ar") {
			lang, dir = "en", "ltr"
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cret", HttpOnly: true})
		fmt.Fprintf(w, formPage, lang, dir, "طلب")
	})
	mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		http.Redirect(w, r, "/done?"+r.PostForm.Encode(), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `<!doctype html><html lang="ar" dir="rtl">
			<meta name="viewport" content="width=device-width, initial-scale=1">
			<body><p id="got">%s|%s|%s|%s</p>
			<div style="width:900px">عريض</div></body></html>`, r.FormValue("national_id"),
			r.FormValue("kind"), r.FormValue("agree"), r.FormValue("note"))
	})
	mux.HandleFunc("GET /blocked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'")
		fmt.Fprint(w, `<!doctype html><html lang="ar" dir="rtl"><body>
			<img src="http://192.0.2.1/logo.png" alt="شعار"></body></html>`)
	})
	mux.HandleFunc("GET /barriers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		fmt.Fprint(w, `<!doctype html><html lang="ar" dir="rtl"><title>t</title><body><main>
			<p style="color:#bbb;background:#fff">faint text</p>
			<input name="national_id"><button></button></main></body></html>`)
	})
	mux.HandleFunc("GET /file", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		if err != nil {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="ABCD-EFGH.pdf"`)
		w.Write([]byte("%PDF " + c.Value))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowserFillsByLabelPressesAndReads(t *testing.T) {
	site := newSite(t)
	t.Setenv("SIJIL_SHOTS", "")
	b := browsertest.Start(t)

	if code := b.Go(site.URL + "/"); code != http.StatusOK {
		t.Fatalf("home: status %d", code)
	}
	if lang, dir := b.Lang(); lang != "ar" || dir != "rtl" {
		t.Errorf("an Arabic phone got lang=%q dir=%q, want ar rtl", lang, dir)
	}
	if w := b.SideScroll(); w != 0 {
		t.Errorf("a narrow page scrolls sideways by %d px", w)
	}
	shot := b.Shot("form")
	if !strings.HasSuffix(shot, "form.ar.png") {
		t.Errorf("screenshot saved as %s, want NAME.LANG.png", shot)
	}
	assertWidth(t, shot, browsertest.PhoneWidth)

	b.Fill("رقم الهوية", "١٢٣٤٥٦٧٨٢")
	b.Fill("الخدمة", "إفادة مبنى")
	b.Fill("أوافق", "")
	b.Fill("note", "الطابق الثاني")
	if got := b.Value("رقم الهوية"); got != "١٢٣٤٥٦٧٨٢" {
		t.Errorf("typed national ID reads %q", got)
	}
	if code := b.Press("أرسل"); code != http.StatusAccepted {
		t.Errorf("after the form: status %d, want the page it redirects to (202)", code)
	}
	if got := b.Text("#got"); got != "١٢٣٤٥٦٧٨٢|building|yes|الطابق الثاني" {
		t.Errorf("the server got %q", got)
	}
	if w := b.SideScroll(); w < 400 {
		t.Errorf("a 900 px wide block: side scroll %d px, want about 500", w)
	}

	// The same link in the menu and the page is one choice.
	b.Go(site.URL + "/")
	if code := b.Follow("الرئيسية"); code != http.StatusOK {
		t.Errorf("follow the home link: %d", code)
	}

	code, ctype, body := b.Fetch(site.URL + "/file")
	if code != http.StatusOK || ctype != "application/pdf" || string(body) != "%PDF s3cret" {
		t.Errorf("fetch with the browser's cookies: %d %s %q", code, ctype, body)
	}
	b.Go(site.URL + "/")
	name, body := b.Download("نزّل الإفادة")
	if name != "ABCD-EFGH.pdf" || string(body) != "%PDF s3cret" {
		t.Errorf("download: %q, %q", name, body)
	}

	other := b.Another()
	if code, _, _ := other.Fetch(site.URL + "/file"); code != http.StatusUnauthorized {
		t.Errorf("another person's fetch got %d, want 401: it has no session of its own", code)
	}
	other.Go(site.URL + "/")
	if lang, _ := other.Lang(); lang != "ar" {
		t.Errorf("another person asks in %q, want the browser's ar", lang)
	}
	if errs := b.ConsoleErrors(); len(errs) != 0 {
		t.Errorf("console errors on pages with no script: %q", errs)
	}
}

func TestBrowserAsksInTheLanguageItIsSetTo(t *testing.T) {
	site := newSite(t)
	b := browsertest.Start(t, browsertest.AcceptLanguage("en"))
	b.Go(site.URL + "/")
	if lang, dir := b.Lang(); lang != "en" || dir != "ltr" {
		t.Errorf("an English phone got lang=%q dir=%q", lang, dir)
	}
}

func TestBrowserKeepsWhatTheCSPBlocked(t *testing.T) {
	site := newSite(t)
	b := browsertest.Start(t)
	b.Go(site.URL + "/blocked")
	deadline := time.Now().Add(5 * time.Second)
	for len(b.ConsoleErrors()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	errs := b.ConsoleErrors()
	if len(errs) != 1 || !strings.Contains(errs[0], "Content Security Policy") {
		t.Errorf("an image from another site under img-src 'self': console errors %q", errs)
	}
}

func assertWidth(t *testing.T, path string, want int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != want {
		t.Errorf("%s is %d px wide, want %d", path, cfg.Width, want)
	}
}

// TestAccessibilityProblems: axe-core finds the barriers a screen-reader
// or low-vision user meets, and none on a page built as Sijil's are.
func TestAccessibilityProblems(t *testing.T) {
	site := newSite(t)
	t.Setenv("SIJIL_SHOTS", "")
	b := browsertest.Start(t)

	b.Go(site.URL + "/")
	if got := b.AccessibilityProblems(); len(got) != 0 {
		t.Errorf("a labelled form: %q, want no problems", got)
	}

	b.Go(site.URL + "/barriers")
	got := strings.Join(b.AccessibilityProblems(), "\n")
	for _, rule := range []string{"color-contrast", "label", "button-name"} {
		if !strings.Contains(got, rule+" (") {
			t.Errorf("a page breaking %s: axe-core said %q", rule, got)
		}
	}
}
