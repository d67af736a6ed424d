package web

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/verify"
)

// Page is the view model every template gets: the layout reads the base
// fields, a page's own content goes in Data (or in the form fields).
// Handlers fill Title and their fields; show fills the rest from the
// request.
type Page struct {
	Title string // already translated, as s.T(r, "login.title")

	// Set by show from the request.
	Lang      string         // "ar" or "en"
	Dir       string         // "rtl" or "ltr"
	User      *accounts.User // nil when nobody is signed in
	Path      string         // the page's path (and a GET's query), for "come back" links
	Demo      bool           // the server runs with --demo
	Bilingual bool           // a public page shown in Arabic with English

	Flash string     // a one-line confirmation at the top of the page
	Error string     // a form's translated error, shown above the form
	Form  url.Values // what the person typed, to fill a form again
	// Problems are a form's translated errors by field name, shown beside
	// their fields (showFieldForm).
	Problems map[string]string
	Message  string // the error page's translated message

	Data any // the page's own content

	// The public verify pages' content.
	Result      *verify.Result
	Code        string // the code a verifier typed, to fill the form again
	CodeError   string // why it was refused, in Arabic
	CodeErrorEN string // and in English
}

// page is the name the verify pages use for Page.
type page = Page

// show renders the named template with p, after filling p's base fields
// from the request. It is how every portal handler answers with a page.
func (s *Server) show(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	p.Lang = Lang(r.Context())
	p.User = CurrentUser(r.Context())
	// A page fetched by GET comes back whole, so that switching language
	// keeps a search or a filter; its query is in the history already, and
	// no form that carries a citizen's data is sent by GET. After a POST
	// the path alone: the redrawn form's fields are not in any URL.
	if p.Path == "" {
		p.Path = r.URL.EscapedPath()
		if r.Method == http.MethodGet && r.URL.RawQuery != "" {
			p.Path += "?" + r.URL.RawQuery
		}
	}
	s.render(w, status, name, p)
}

// showForm renders a form page again after err, with what was typed
// (minus passwords and codes) and err's message in the person's
// language. An error that is not the person's to fix goes to fail.
func (s *Server) showForm(w http.ResponseWriter, r *http.Request, name string, p Page,
	err error) error {
	return s.showFormMessage(w, r, name, p, err, s.userMessage(Lang(r.Context()), err))
}

// showFormMessage is showForm with the message at the top of the form
// already chosen.
func (s *Server) showFormMessage(w http.ResponseWriter, r *http.Request, name string, p Page,
	err error, message string) error {
	switch sijil.KindOf(err) {
	case sijil.Internal, sijil.Unavailable:
		return err
	}
	status := statusFor(err)
	s.logFailure(r, status, err)
	p.Error = message
	p.Form = url.Values{}
	for k, v := range r.PostForm {
		if !secretField[k] {
			p.Form[k] = v
		}
	}
	s.show(w, r, status, name, p)
	return nil
}

// showFieldForm is showForm for a form whose errors belong to fields: each
// field's message, translated, goes in Problems by the field's name, for
// the template to put beside it, and the top of the form says to correct
// the marked fields.
func (s *Server) showFieldForm(w http.ResponseWriter, r *http.Request, name string, p Page,
	err error, fields map[string]*sijil.Error) error {
	if len(fields) == 0 {
		return s.showForm(w, r, name, p, err)
	}
	lang := Lang(r.Context())
	problems := map[string]string{}
	for field, fe := range fields {
		problems[field] = s.userMessage(lang, fe)
	}
	p.Problems = problems
	return s.showFormMessage(w, r, name, p, err, s.T(r, "form.fix_fields"))
}

// secretField names the form fields never echoed back into a page.
var secretField = map[string]bool{"password": true, "password2": true, "code": true,
	"totp": true}

// userMessage is err's user-safe message in lang: the catalog's text for
// its key, else the English message the domain wrote.
func (s *Server) userMessage(lang string, err error) string {
	key, msg := sijil.UserMessage(err)
	if text, ok := s.catalogs[lang][key]; ok {
		return text
	}
	return msg
}

// render executes a template into a buffer first, so that a failing
// template never sends half a page. A page with no language (the public
// verify pages, rendered without the request) is Arabic with English.
func (s *Server) render(w http.ResponseWriter, status int, name string, p Page) {
	if p.Lang == "" {
		p.Lang, p.Bilingual = defaultLang, true
	}
	p.Dir = dirOf(p.Lang)
	p.Demo = s.cfg.Demo
	var buf bytes.Buffer
	if err := s.pages[p.Lang].ExecuteTemplate(&buf, name, p); err != nil {
		s.log.Error("render page", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fieldProblem is what the field_problem template shows above a field:
// its message, with an id the field's aria-describedby names.
type fieldProblem struct {
	Field   string
	Message string
}
