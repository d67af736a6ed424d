package web

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"

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
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
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
