package web

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"net/http"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Translations live in web/i18n as AREA.LANG.json, one flat object of
// message key → text per file, so that each area of the portal keeps its
// own file. A key may appear in one area only; every key must exist in
// every language (TestCatalogsAreComplete).
//
//go:embed i18n/*.json
var catalogFS embed.FS

// The languages of the portal. Arabic is the default: most citizens read
// it, and a page in the wrong language is worse in Arabic than in English.
const (
	langAR      = "ar"
	langEN      = "en"
	defaultLang = langAR
)

var languages = []string{langAR, langEN}

// langMatcher picks a supported language from Accept-Language.
var langMatcher = language.NewMatcher([]language.Tag{language.Arabic, language.English})

// langCookie remembers the language a person chose with the link in the
// header.
const langCookie = "lang"

// catalog maps message keys to texts in one language.
type catalog map[string]string

// loadCatalogs reads every embedded catalog, refusing a key defined twice
// or a file named for an unknown language.
func loadCatalogs() (map[string]catalog, error) {
	cats := map[string]catalog{}
	for _, l := range languages {
		cats[l] = catalog{}
	}
	files, err := fs.Glob(catalogFS, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		parts := strings.Split(strings.TrimSuffix(path.Base(name), ".json"), ".")
		if len(parts) != 2 || cats[parts[1]] == nil {
			return nil, fmt.Errorf("catalog %s: name it AREA.LANG.json with LANG one of %v",
				name, languages)
		}
		b, err := catalogFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m, err := readCatalog(b)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		for k, v := range m {
			if _, dup := cats[parts[1]][k]; dup {
				return nil, fmt.Errorf("catalog %s: key %q is defined in another file too",
					name, k)
			}
			cats[parts[1]][k] = v
		}
	}
	return cats, nil
}

// A text that counts something is an object of its CLDR plural forms
// ("zero", "one", "two", "few", "many", "other") instead of a string: Arabic
// says "طلب واحد", "طلبان", "6 طلبات", "11 طلبًا", "100 طلب", English "1
// request", "6 requests". Each form is kept as "KEY#FORM"; "other" is
// required, the others as the language's rules use them.
var pluralForms = map[plural.Form]string{plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}

// readCatalog reads one catalog file, its counting texts as "KEY#FORM".
func readCatalog(b []byte) (catalog, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := catalog{}
	for k, v := range raw {
		var text string
		if err := json.Unmarshal(v, &text); err == nil {
			out[k] = text
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, fmt.Errorf("key %q: give a text or an object of plural forms: %w",
				k, err)
		}
		if _, ok := forms["other"]; !ok {
			return nil, fmt.Errorf("key %q: a counting text needs its \"other\" form", k)
		}
		for form, text := range forms {
			if !slices.Contains(slices.Collect(maps.Values(pluralForms)), form) {
				return nil, fmt.Errorf("key %q: %q is not a CLDR plural form", k, form)
			}
			out[k+"#"+form] = text
		}
	}
	return out, nil
}

// pluralForm names the CLDR plural form of the count n in lang.
func pluralForm(lang string, n int) string {
	tag := language.English
	if lang == langAR {
		tag = language.Arabic
	}
	return pluralForms[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
}

// translateN returns the text of key in lang in the plural form of the
// count n, with args filled in (n alone when none are given). A form with
// no verb, such as "طلب واحد", is returned as it is.
func (s *Server) translateN(lang, key string, n int, args ...any) string {
	if len(args) == 0 {
		args = []any{n}
	}
	text, ok := s.catalogs[lang][key+"#"+pluralForm(lang, n)]
	if !ok {
		text, ok = s.catalogs[lang][key+"#other"]
	}
	if !ok {
		return s.translate(lang, key, args...)
	}
	if !strings.Contains(text, "%") {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// countOf is a template's count as an int: pages hold counts as int or,
// from the search index, uint64.
func countOf(n any) (int, error) {
	switch n := n.(type) {
	case int:
		return n, nil
	case uint64:
		return int(min(n, math.MaxInt32)), nil
	}
	return 0, fmt.Errorf("count %v is a %T, not an int", n, n)
}

// N translates the counting text key for the count n into the request's
// language, for handlers. Templates call {{N "key" n}}.
func (s *Server) N(r *http.Request, key string, n int, args ...any) string {
	return s.translateN(Lang(r.Context()), key, n, args...)
}

// translate returns the text of key in lang with args filled in the
// fmt way; a key missing there falls back to English, then to the key
// itself, so that a gap shows instead of breaking the page.
func (s *Server) translate(lang, key string, args ...any) string {
	text, ok := s.catalogs[lang][key]
	if !ok {
		text, ok = s.catalogs[langEN][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(text, args...)
	}
	return text
}

// T translates key into the language of the request, for handlers:
// titles, flash messages, notifications. Templates call {{T "key"}}.
func (s *Server) T(r *http.Request, key string, args ...any) string {
	return s.translate(Lang(r.Context()), key, args...)
}

type langKey struct{}

// Lang returns the language chosen for the request: "ar" or "en".
func Lang(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return defaultLang
}

// chooseLang picks the request's language: the cookie set by the switch
// in the header, then the browser's Accept-Language, then Arabic.
func chooseLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		if c, err := r.Cookie(langCookie); err == nil && (c.Value == langAR || c.Value == langEN) {
			lang = c.Value
		}
		if lang == "" {
			lang = defaultLang
			if accept := r.Header.Get("Accept-Language"); accept != "" {
				tags, _, _ := language.ParseAcceptLanguage(accept)
				if _, i, conf := langMatcher.Match(tags...); conf != language.No {
					lang = languages[i]
				}
			}
		}
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey{}, lang)))
	})
}

// dirOf is the writing direction of a language.
func dirOf(lang string) string {
	if lang == langAR {
		return "rtl"
	}
	return "ltr"
}

// setLang answers the language link in the header: it remembers the
// choice for a year and goes back to the page the person was on.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("to")
	if lang != langAR && lang != langEN {
		lang = defaultLang
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.SecureCookies})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

// localPath returns p if it is a path on this site, else "/": a redirect
// target taken from a link must never send people to another site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}
