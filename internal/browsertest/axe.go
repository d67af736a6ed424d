package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/chromedp/chromedp"
)

// axeRun asks axe-core for the page's violations of WCAG 2.1 at levels A
// and AA, and keeps those a person meets as a barrier (serious and
// critical: a field without a label, text a low-vision reader cannot make
// out, a button a screen reader cannot name). Minor and moderate findings
// are advice, not failures.
const axeRun = `axe.run(document, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
	resultTypes: ["violations"],
}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => v.id + " (" + v.impact + "): " + v.help + ": " +
		v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`

var axeScript = sync.OnceValues(func() (string, error) {
	path := os.Getenv("SIJIL_AXE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		path = filepath.Join(home, ".cache", "sijil", "axe", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("axe-core is missing (make tools fetches it, "+
			"or set $SIJIL_AXE to axe.min.js): %w", err)
	}
	return string(b), nil
})

// AccessibilityProblems runs axe-core, the accessibility engine browsers'
// own audits use, on the page as it is now and returns each serious or
// critical WCAG 2.1 A/AA violation on a line: the rule, what it asks, and
// up to three elements that break it. axe-core missing fails the test.
//
// axe-core 4.14 passes over the contrast of Arabic text (it neither fails
// nor flags faint Arabic in a test page), so contrast is checked where the
// same page is shown in English, with the same styles.
func (b *Browser) AccessibilityProblems() []string {
	b.t.Helper()
	script, err := axeScript()
	if err != nil {
		b.fail("%v", err)
	}

	// The script is loaded into the page's own context, as an extension
	// would; the page's Content-Security-Policy does not apply to it.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](script+";true")); err != nil {
		b.fail("load axe-core: %v", err)
	}
	problems, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](axeRun,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("run axe-core: %v", err)
	}
	return problems
}
