package web

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/sijil-municipality/sijil/requests"
)

// TestRequestsCatalogMatchesPackage: every error and label key the
// requests package can hand the portal has a text in each language, so
// that no page shows a raw key or an English message to an Arabic reader;
// and no catalog keeps a requests key the package no longer returns.
//
// Notice keys are left out on purpose: requests/notices holds their
// bilingual SMS texts (checked by TestEveryNoticeHasText) and no page
// shows them, so a copy here would only drift from the texts sent.
func TestRequestsCatalogMatchesPackage(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	want := append(requests.ErrorKeys(), requests.LabelKeys()...)
	if len(want) < 100 {
		t.Fatalf("requests returns only %d error and label keys: is the list broken?", len(want))
	}

	for _, lang := range languages {
		for _, key := range want {
			text, ok := cats[lang][key]
			switch {
			case !ok:
				t.Errorf("%s lacks %q, which the requests package returns", lang, key)
			case strings.TrimSpace(text) == "":
				t.Errorf("%s has an empty text for %q", lang, key)
			case strings.Contains(text, "%"):
				// Error texts are shown as they are, never formatted.
				t.Errorf("%s %q holds %%, which would show as is: %q", lang, key, text)
			case lang == langAR && !strings.ContainsFunc(text, isArabicLetter):
				t.Errorf("ar %q is not in Arabic: %q", key, text)
			}
		}
		for key := range cats[lang] {
			if !strings.HasPrefix(key, "requests.") || slices.Contains(want, key) {
				continue
			}
			if slices.Contains(requests.NoticeKeys(), key) {
				t.Errorf("%s has notice key %q: its text lives in requests/notices", lang, key)
				continue
			}
			t.Errorf("%s has %q, which the requests package no longer returns", lang, key)
		}
	}
}

func isArabicLetter(r rune) bool { return unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) }
