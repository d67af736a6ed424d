package web

import (
	"html"
	"html/template"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Bounds of a page-text correction's diff as the history shows it: the
// words each change keeps around it, and how many changes are shown.
const (
	diffContext = 3
	maxChanges  = 12
	maxChanged  = 20 // words of one change shown, half at each end
)

// wordDiff shows what a correction of a page's text changed, word by word:
// removed words struck out, added ones marked, a few unchanged words
// around each change and "…" for the rest, so that an archivist reviewing
// a correction reads what changed without comparing two pages of text.
func wordDiff(old, new string) template.HTML {
	dmp := diffmatchpatch.New()
	// One word a line: the line-level diff then runs over words.
	a, b, words := dmp.DiffLinesToRunes(asLines(old), asLines(new))
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(a, b, false), words)

	var out strings.Builder
	changes := 0
	for i, d := range diffs {
		w := strings.Fields(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			out.WriteString(unchanged(w, i > 0, i < len(diffs)-1))
		case diffmatchpatch.DiffDelete, diffmatchpatch.DiffInsert:
			if changes++; changes > maxChanges {
				out.WriteString(" …")
				return template.HTML(out.String())
			}
			tag := "ins"
			if d.Type == diffmatchpatch.DiffDelete {
				tag = "del"
			}
			changed := strings.Join(w, " ")
			if len(w) > maxChanged {
				changed = strings.Join(w[:maxChanged/2], " ") + " … " +
					strings.Join(w[len(w)-maxChanged/2:], " ")
			}
			out.WriteString(" <" + tag + ">" + html.EscapeString(changed) + "</" + tag + ">")
		}
	}
	return template.HTML(strings.TrimSpace(out.String()))
}

// unchanged is the unchanged words w between changes: a few after the
// change before (when there is one), a few before the change after.
func unchanged(w []string, after, before bool) string {
	var head, tail []string
	if after {
		head = w[:min(diffContext, len(w))]
	}
	if before {
		tail = w[max(len(w)-diffContext, len(head)):]
	}
	text := strings.Join(head, " ")
	if len(head)+len(tail) < len(w) {
		text += " …"
	}
	if len(tail) > 0 {
		text += " " + strings.Join(tail, " ")
	}
	return " " + html.EscapeString(strings.TrimSpace(text))
}

func asLines(s string) string {
	return strings.Join(strings.Fields(s), "\n") + "\n"
}
