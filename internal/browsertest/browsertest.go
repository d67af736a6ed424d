// Package browsertest drives a real headless Chromium, Debian's chromium,
// through the DevTools protocol (chromedp) for tests of Sijil's pages: it
// fills forms by their labels as a person reads them, presses buttons,
// follows links, reads what the page says and takes screenshots at phone
// width.
//
// A test starts one browser with Start; every helper fails the test on
// error (with a screenshot of the page it was on), so a journey reads as a
// list of steps. Chromium missing is a failure, never a skip: Makefile's
// deps installs it.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// PhoneWidth is the width, in CSS pixels, the browser's window has: a
// common cheap Android phone's. Pages must fit it without scrolling
// sideways.
const PhoneWidth = 412

// phoneHeight is the window's height; screenshots take the whole page.
const phoneHeight = 915

// DefaultTimeout bounds everything one test does in its browser.
const DefaultTimeout = 3 * time.Minute

// pageTimeout bounds one page load or download, so that a click that
// leads nowhere fails the test at once, not at its end.
const pageTimeout = 30 * time.Second

// Browser is one headless Chromium with one tab, owned by one test.
type Browser struct {
	t       testing.TB
	ctx     context.Context // the tab's, bounded by the test's timeout
	shots   string          // the folder screenshots go to
	scope   string          // CSS selector that lookups start from; "" is the page
	lang    string          // what the browser asks pages in
	console *consoleLog
}

// consoleLog is the errors a tab's pages logged: CSP violations, failed
// loads.
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

// Option changes how Start sets the browser up.
type Option func(*config)

type config struct {
	timeout time.Duration
	lang    string
}

// Timeout bounds the whole test's use of the browser, DefaultTimeout
// unless set.
func Timeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// AcceptLanguage is what the browser asks pages in, as a citizen's phone
// set to that language would; "ar" unless set.
func AcceptLanguage(lang string) Option { return func(c *config) { c.lang = lang } }

// Start launches a fresh headless Chromium for the test, with its own
// profile in a temporary folder, and closes it when the test ends.
func Start(t testing.TB, opts ...Option) *Browser {
	t.Helper()
	cfg := config{timeout: DefaultTimeout, lang: "ar"}
	for _, o := range opts {
		o(&cfg)
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is missing: install the Debian package chromium (make deps): %v",
			err)
	}

	// Without the background-networking flags Chromium keeps trying to
	// reach Google's services, which on a closed network floods it.
	flags := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", cfg.lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(PhoneWidth, phoneHeight),
	)
	if os.Geteuid() == 0 {
		// Chromium's sandbox refuses to run as root.
		flags = append(flags, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	tab, cancelTab := chromedp.NewContext(alloc)

	// The first call starts the browser and ties its life to tab, so the
	// timeout goes on a context derived after it.
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, cfg.timeout)
	t.Cleanup(func() {
		cancel()
		cancelTab()
		cancelAlloc()
	})
	b := &Browser{t: t, ctx: ctx, shots: shotsDir(t), lang: cfg.lang}
	b.setUp()
	return b
}

// Another returns a second person at the same browser: a new tab in a
// browser context of its own, so with cookies of its own, as the clerk who
// takes a request is not the citizen who sent it. It asks pages in the
// same language.
func (b *Browser) Another() *Browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	other := &Browser{t: b.t, ctx: ctx, shots: b.shots, lang: b.lang}
	other.setUp()
	return other
}

// setUp makes the tab a phone that asks pages in the browser's language,
// and starts keeping what its pages log.
func (b *Browser) setUp() {
	b.t.Helper()
	err := chromedp.Do(b.ctx,
		chromedp.EmulateViewport(PhoneWidth, phoneHeight, chromedp.EmulateMobile,
			chromedp.EmulatePortrait),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders,
				network.SetExtraHTTPHeadersParams{
					Headers: network.Headers{"Accept-Language": b.lang}})
			return err
		}),
	)
	if err != nil {
		b.t.Fatalf("set the phone's viewport and language: %v", err)
	}
	b.console = &consoleLog{}
	b.watchConsole()
}

// shotsDir is $SIJIL_SHOTS when set, so that a person can look at the
// pictures after the run, else the test's temporary folder.
func shotsDir(t testing.TB) string {
	dir := os.Getenv("SIJIL_SHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots folder: %v", err)
	}
	return dir
}

// watchConsole keeps what the page logs as an error: with no script on
// Sijil's pages, that is a resource the CSP blocked or that failed to
// load, which a person would see as a broken page.
func (b *Browser) watchConsole() {
	msgs := chromedp.Console(b.ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// Chromium asks every site for /favicon.ico on its own; a page
			// does not ask for it, so its 404 is no fault of the page.
			if strings.HasSuffix(m.URL, "/favicon.ico") {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.console.mu.Lock()
				b.console.msgs = append(b.console.msgs, fmt.Sprintf("%s (%s)", m.Text, m.URL))
				b.console.mu.Unlock()
			}
		}
	}()
}

// ConsoleErrors returns the errors pages logged since the browser started.
func (b *Browser) ConsoleErrors() []string {
	b.console.mu.Lock()
	defer b.console.mu.Unlock()
	return append([]string(nil), b.console.msgs...)
}

// In returns the same browser whose lookups (Fill, Press, Follow, Text)
// start from the first element the CSS selector matches, for a page with
// the same button in several places.
func (b *Browser) In(css string) *Browser {
	return &Browser{t: b.t, ctx: b.ctx, shots: b.shots, scope: css, lang: b.lang,
		console: b.console}
}

// fail saves a screenshot of the page the test was on and ends the test.
func (b *Browser) fail(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	url, _ := chromedp.Run(b.ctx, chromedp.Location())
	name := "FAILED-" + safeName(b.t.Name())
	if shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(b.shots, name+".png"), shot, 0o644)
	}
	text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ?
		document.body.innerText : ""`))
	b.t.Fatalf("%s\non %s (screenshot %s.png in %s); the page says:\n%s", msg, url, name,
		b.shots, text)
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// Go opens the URL and returns the HTTP status of the page it ends on.
func (b *Browser) Go(url string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, pageTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.fail("open %s: %v", url, err)
	}
	return status(resp)
}

func status(resp *network.Response) int {
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// URL is the address of the page the browser shows.
func (b *Browser) URL() string {
	b.t.Helper()
	url, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("read the location: %v", err)
	}
	return url
}

// findJS returns the elements a person would call by the name want, in
// the order tried: form fields whose label reads want (its own words, or
// all of it with its hints), then fields named or identified want;
// buttons whose text or value reads want; links whose text reads want.
// Exact matches win over matches that contain want.
const findJS = `(function(scope, kind, want) {
	const root = scope ? document.querySelector(scope) : document;
	if (!root) return [];
	const norm = s => (s || "").replace(/\s+/g, " ").trim();
	const own = l => norm(Array.from(l.childNodes).filter(n => n.nodeType === 3)
		.map(n => n.textContent).join(" "));
	const pick = (els, words) => {
		const exact = els.filter(e => words(e).some(w => w === want));
		return exact.length ? exact : els.filter(e => words(e).some(w => w.includes(want)));
	};
	if (kind === "field") {
		const labels = pick(Array.from(root.querySelectorAll("label")),
			l => [own(l), norm(l.textContent)]);
		const byLabel = labels.map(l => l.control).filter(c => c);
		if (byLabel.length) return byLabel;
		return Array.from(root.querySelectorAll("input, select, textarea"))
			.filter(e => e.type !== "hidden" && (e.name === want || e.id === want));
	}
	if (kind === "button") {
		return pick(Array.from(root.querySelectorAll(
			"button, input[type=submit], input[type=button]")),
			e => [norm(e.innerText || e.value), norm(e.getAttribute("aria-label"))]);
	}
	return pick(Array.from(root.querySelectorAll("a[href]")),
		e => [norm(e.innerText), norm(e.getAttribute("aria-label"))]);
})`

// find returns a selector for the one element of the kind that want
// names, failing the test when none or several different ones match.
func (b *Browser) find(kind, want string) chromedp.JSPath {
	b.t.Helper()
	call := fmt.Sprintf("%s(%s, %q, %s)", findJS, jsString(b.scope), kind, jsString(want))
	// Several links to the same place (a page's heading and its menu) are
	// one choice; anything else several is a test naming it badly.
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`new Set(%s.map(e => e.href || e)).size`, call)))
	if err != nil {
		b.fail("look for the %s %q: %v", kind, want, err)
	}
	if n != 1 {
		b.fail("%d %ss match %q, want exactly one", n, kind, want)
	}
	return chromedp.JSPath(call + "[0]")
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// Fill types value into the form field that field names: its label's
// words (Arabic or English, as the page shows them), or its name or id.
// A select takes the option whose value or text is value; a checkbox or
// radio button is ticked (value is then ignored).
func (b *Browser) Fill(field, value string) {
	b.t.Helper()
	sel := b.find("field", field)
	kind, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](string(sel)+
		`.tagName.toLowerCase() + "/" + (`+string(sel)+`.type || "")`))
	if err != nil {
		b.fail("read the field %q: %v", field, err)
	}
	switch {
	case kind == "select/select-one":
		err = chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
			`(function(s, v) {
				const o = Array.from(s.options).find(o => o.value === v ||
					o.text.replace(/\s+/g, " ").trim() === v);
				if (!o) throw new Error("no option " + v);
				s.value = o.value;
			})(%s, %s)`, sel, jsString(value))))
	case kind == "input/checkbox" || kind == "input/radio":
		err = chromedp.Do(b.ctx, chromedp.Click(sel))
	default:
		// Typed key by key, as a person would, so that a field refusing
		// input (read-only, too short a maxlength) fails here.
		// chromedp's Clear fails on an empty textarea, hence the value.
		err = chromedp.Do(b.ctx,
			chromedp.Evaluate[chromedp.Void](string(sel)+`.value = ""`),
			chromedp.SendKeys(sel, value))
	}
	if err != nil {
		b.fail("fill %q with %q: %v", field, value, err)
	}
}

// Value returns what the form field that field names holds now, as a
// draft form filled by the server shows it.
func (b *Browser) Value(field string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](string(b.find("field", field))+
		".value"))
	if err != nil {
		b.fail("read the field %q: %v", field, err)
	}
	return v
}

// Press clicks the button whose words are button and waits for the page
// the form leads to; it returns that page's HTTP status.
func (b *Browser) Press(button string) int {
	b.t.Helper()
	return b.clickAndWait("button", button)
}

// Follow clicks the link whose words are link and waits for the page it
// leads to; it returns that page's HTTP status.
func (b *Browser) Follow(link string) int {
	b.t.Helper()
	return b.clickAndWait("link", link)
}

func (b *Browser) clickAndWait(kind, words string) int {
	b.t.Helper()
	sel := b.find(kind, words)
	ctx, cancel := context.WithTimeout(b.ctx, pageTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		b.fail("click the %s %q: %v", kind, words, err)
	}
	return status(resp)
}

// Text returns the visible text of the first element the CSS selector
// matches, inside the scope of In; "" gives the whole scope (the page's
// body without one).
func (b *Browser) Text(css string) string {
	b.t.Helper()
	root := "document.body"
	if b.scope != "" {
		root = "document.querySelector(" + jsString(b.scope) + ")"
	}
	text, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(function(r, css) {
			const e = r && (css ? r.querySelector(css) : r);
			return e ? e.innerText : "";
		})(%s, %s)`, root, jsString(css))))
	if err != nil {
		b.fail("read the text of %q: %v", css, err)
	}
	return text
}

// MustSay fails the test unless the visible text of the page, or of the
// scope of In, holds every one of want.
func (b *Browser) MustSay(want ...string) {
	b.t.Helper()
	text := b.Text("")
	var missing []string
	for _, w := range want {
		if !strings.Contains(text, w) {
			missing = append(missing, w)
		}
	}
	if missing != nil {
		where := "the page"
		if b.scope != "" {
			where = b.scope
		}
		b.fail("%s does not say %q", where, missing)
	}
}

// Lang returns the page's language and writing direction, from its html
// element's lang and dir.
func (b *Browser) Lang() (lang, dir string) {
	b.t.Helper()
	attrs, err := chromedp.Run(b.ctx, chromedp.Attributes(chromedp.CSS("html")))
	if err != nil {
		b.fail("read the page's language: %v", err)
	}
	return attrs["lang"], attrs["dir"]
}

// SideScroll returns how many CSS pixels the page is wider than the phone:
// 0 when nothing makes a person scroll sideways to read it.
func (b *Browser) SideScroll() int {
	b.t.Helper()
	w, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](
		`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil {
		b.fail("measure the page: %v", err)
	}
	return w
}

// Shot saves a screenshot of the whole page at phone width as NAME.LANG.png
// in the screenshots folder ($SIJIL_SHOTS, else the test's temporary
// folder), and returns its path.
func (b *Browser) Shot(name string) string {
	b.t.Helper()
	lang, _ := b.Lang()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shots, fmt.Sprintf("%s.%s.png", safeName(name), lang))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// Keep saves a file the test got, such as a downloaded PDF, in the
// screenshots folder beside the pictures, and returns its path.
func (b *Browser) Keep(name string, body []byte) string {
	b.t.Helper()
	path := filepath.Join(b.shots, safeName(name))
	if err := os.WriteFile(path, body, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// Fetch gets the URL outside the page with the browser's cookies, as a
// download would, and returns the status, the content type and the body:
// for a file, such as a certificate's PDF, that Chromium would save rather
// than show.
func (b *Browser) Fetch(url string) (int, string, []byte) {
	b.t.Helper()
	cookies, err := chromedp.Run(b.ctx, func(ctx context.Context,
		t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies,
			network.GetCookiesParams{URLs: []string{url}})
		return res.Cookies, err
	})
	if err != nil {
		b.fail("read the browser's cookies: %v", err)
	}
	req, err := http.NewRequestWithContext(b.ctx, http.MethodGet, url, nil)
	if err != nil {
		b.fail("fetch %s: %v", url, err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.fail("fetch %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.fail("fetch %s: %v", url, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// Download clicks the link whose words are link, lets Chromium save the
// file it leads to, as a person's phone would, and returns the name
// Chromium suggests for it and its bytes.
func (b *Browser) Download(link string) (string, []byte) {
	b.t.Helper()
	sel := b.find("link", link)
	dir := b.t.TempDir()
	_, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior,
		browser.SetDownloadBehaviorParams{
			Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
			BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
			DownloadPath:     dir, EventsEnabled: new(true)})
	if err != nil {
		b.fail("let the browser save files: %v", err)
	}

	// Subscribe before the click, so that no event is missed; a download
	// that does not start in time fails rather than waits for the test's
	// end.
	ctx, cancel := context.WithTimeout(b.ctx, pageTimeout)
	defer cancel()
	begins := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(b.ctx, chromedp.Click(sel)); err != nil {
		b.fail("click the link %q: %v", link, err)
	}
	var begun browser.EventDownloadWillBegin
	for ev, err := range begins {
		if err != nil {
			b.fail("the link %q started no download: %v", link, err)
		}
		begun = ev
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.fail("download %s did not finish: %v", begun.URL, err)
		}
		if ev.GUID != begun.GUID {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			b.fail("download %s was cancelled", begun.URL)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	body, err := os.ReadFile(filepath.Join(dir, begun.GUID))
	if err != nil {
		b.fail("read the downloaded %s: %v", begun.SuggestedFilename, err)
	}
	return begun.SuggestedFilename, body
}
