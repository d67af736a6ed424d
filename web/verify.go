package web

import (
	"errors"
	"io"
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

// maxCodeLen bounds what the verify form accepts: a verify link with its
// token is about 250 characters.
const maxCodeLen = 2048

// maxTypedCode is the longest text looked up as a certificate number or
// check code; a token is far longer.
const maxTypedCode = 30

// verifyForm takes what a verifier typed or pasted (a verify link, a
// token, the certificate number or the check code printed under the QR)
// and sends them to the token's page. What it cannot use comes back on
// the form, with what was typed and why, for the verifier to correct.
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	code := strings.TrimSpace(r.URL.Query().Get("code"))
	if code == "" {
		s.render(w, http.StatusOK, "home.html", page{Title: "التحقق · Verify"})
		return nil
	}

	token, err := s.tokenFor(r, code)
	if err != nil {
		return s.refuseCode(w, r, code, err)
	}
	http.Redirect(w, r, verify.TokenPath+url.PathEscape(token), http.StatusSeeOther)
	return nil
}

// tokenFor finds the token that code names. Short text without a verify
// link is a number or a check code: the office's answer on it (mistyped,
// wrong length, unknown) is final, since sending it on as a token would
// only call it damaged.
func (s *Server) tokenFor(r *http.Request, code string) (string, error) {
	if len(code) > maxCodeLen {
		return "", sijil.Errorf(sijil.Invalid, "verify.code_too_long",
			"That is too long to be a verify link or a code.")
	}
	if s.cfg.Codes != nil && len(code) <= maxTypedCode &&
		!strings.Contains(code, verify.TokenPath) {
		return s.cfg.Codes.TokenByCode(r.Context(), code)
	}
	t, err := verify.TokenFromText(code)
	if err != nil {
		return "", sijil.Errorf(sijil.Invalid, "verify.empty_code",
			"Enter the text of the QR code, the verify link, or the code under the QR.")
	}
	return t, nil
}

// refuseCode shows the verify form again with the code as typed and the
// reason next to it, in Arabic with English like the rest of the public
// pages: a teller retypes it there rather than starting over.
func (s *Server) refuseCode(w http.ResponseWriter, r *http.Request, code string,
	err error) error {
	switch sijil.KindOf(err) {
	case sijil.Internal, sijil.Unavailable:
		return err
	}
	if wantsJSON(r) {
		return err
	}
	status := statusFor(err)
	s.logFailure(r, status, err)

	if len(code) > maxCodeLen {
		code = ""
	}
	s.render(w, status, "home.html", page{Title: "التحقق · Verify", Code: code,
		CodeError: s.userMessage(langAR, err), CodeErrorEN: s.userMessage(langEN, err)})
	return nil
}

// maxPDFUpload bounds a dropped PDF; certificates are well under 1 MB.
const maxPDFUpload = 20 << 20

// verifyPDF checks a certificate PDF a verifier dropped on the page: the
// content it carries must be exactly what its QR token signs, and the
// certificate must be current and in the log.
func (s *Server) verifyPDF(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPDFUpload)
	f, _, err := r.FormFile("pdf")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return sijil.Errorf(sijil.TooLarge, "verify.pdf_too_large",
				"The file is larger than %d MB; a certificate is far smaller.",
				maxPDFUpload>>20)
		}
		return sijil.Errorf(sijil.Invalid, "verify.no_pdf", "Choose the certificate's PDF file.")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return sijil.Errorf(sijil.TooLarge, "verify.pdf_too_large",
			"The file could not be read whole; a certificate is under %d MB.", maxPDFUpload>>20)
	}

	res := s.checkPDF(r, data)
	s.render(w, http.StatusOK, "verify.html", page{Title: "التحقق · Verify", Result: &res})
	return nil
}

func (s *Server) checkPDF(r *http.Request, data []byte) verify.Result {
	token, res := s.cfg.Verifier.CheckPDF(data)
	if res.Status != verify.StatusValid {
		return res
	}
	return s.cfg.Verifier.CheckOnline(r.Context(), token, s.cfg.Registry, s.log)
}

func (s *Server) verifyToken(w http.ResponseWriter, r *http.Request) error {
	res := s.check(r)
	// A certificate can be revoked at any moment: no cache may answer for
	// the office.
	w.Header().Set("Cache-Control", "no-store")
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, res)
		return nil
	}
	s.render(w, http.StatusOK, "verify.html", page{Title: "التحقق · Verify", Result: &res})
	return nil
}

func (s *Server) verifyAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.check(r))
	return nil
}

// check verifies the token in the path with everything this node holds:
// content, revocations and the public log.
func (s *Server) check(r *http.Request) verify.Result {
	token := chi.URLParam(r, "token")
	return s.cfg.Verifier.CheckOnline(r.Context(), token, s.cfg.Registry, s.log)
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(s.cfg.KeySet)
}
