package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	s.render(w, http.StatusOK, "home.html", page{Title: "سجل · Sijil"})
	return nil
}

// verifyForm takes what a verifier typed or pasted (a verify URL or a
// token) and sends them to the token's page.
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	code := strings.TrimSpace(r.URL.Query().Get("code"))
	if code == "" {
		s.render(w, http.StatusOK, "home.html", page{Title: "التحقق · Verify"})
		return nil
	}
	token, err := verify.TokenFromText(code)
	if err != nil {
		return sijil.Errorf(sijil.Invalid, "verify.empty_code",
			"Enter the text of the QR code or the verify link.")
	}
	http.Redirect(w, r, verify.TokenPath+url.PathEscape(token), http.StatusSeeOther)
	return nil
}

func (s *Server) verifyToken(w http.ResponseWriter, r *http.Request) error {
	res := s.check(r)
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, res)
		return nil
	}
	s.render(w, http.StatusOK, "verify.html", page{Title: "التحقق · Verify", Result: &res})
	return nil
}

func (s *Server) verifyAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.check(r))
	return nil
}

// check verifies the token in the path and, when this node holds the
// certificate's content, checks and shows that too. A token whose content
// this node lacks is still judged on its signature.
func (s *Server) check(r *http.Request) verify.Result {
	token := chi.URLParam(r, "token")
	res := s.verifier.Check(token, nil)
	if res.Status != verify.StatusValid || s.contents == nil {
		return res
	}

	content, err := s.contents.ContentByID(r.Context(), res.CertID)
	if err != nil {
		if sijil.KindOf(err) != sijil.NotFound {
			s.log.Error("load certificate content", "cert_id", res.CertID, "err", err)
		}
		return res
	}
	return s.verifier.Check(token, content)
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(s.keySet)
}
