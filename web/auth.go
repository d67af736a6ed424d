package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/notify"
)

// The pages where people sign up, in and out, and reset a password.

// portalHome is the home page with the visitor's header: signed in or
// not, in their language.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "portal_home.html", Page{Title: s.T(r, "home.title")})
	return nil
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "login.html", Page{Title: s.T(r, "login.title"),
		Form: url.Values{"next": {r.URL.Query().Get("next")}}})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	p := Page{Title: s.T(r, "login.title")}
	u, err := s.cfg.Accounts.AuthenticateCitizen(r.Context(), r.PostFormValue("national_id"),
		r.PostFormValue("password"))
	if err != nil {
		return s.showForm(w, r, "login.html", p, err)
	}
	return s.enter(w, r, u, "/account")
}

// enter signs u in and sends them to the page they came for, or home.
func (s *Server) enter(w http.ResponseWriter, r *http.Request, u accounts.User,
	home string) error {
	if err := s.signIn(w, r, u); err != nil {
		return err
	}
	s.log.Info("signed in", "user_id", u.ID, "kind", u.Kind, "request_id", requestID(r))
	next := localPath(r.PostFormValue("next"))
	if next == "/" {
		next = home
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "register.html", Page{Title: s.T(r, "register.title")})
	return nil
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	p := Page{Title: s.T(r, "register.title")}
	reg := accounts.Registration{
		NationalID: r.PostFormValue("national_id"),
		FullName:   r.PostFormValue("full_name"),
		Phone:      r.PostFormValue("phone"),
		Password:   r.PostFormValue("password"),
	}

	// Every field is checked before any is refused, so that one answer
	// marks all that is wrong.
	err := accounts.CheckRegistration(reg)
	fields := accounts.FieldErrors(err)
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		differ := errPasswordsDiffer()
		fields["password2"] = differ
		err = errors.Join(err, differ)
	}
	if err != nil {
		return s.showFieldForm(w, r, "register.html", p, err, fields)
	}

	u, err := s.cfg.Accounts.Register(r.Context(), reg)
	if err != nil {
		return s.showFieldForm(w, r, "register.html", p, err, accounts.FieldErrors(err))
	}
	if err := s.signIn(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?welcome=1", http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(s.cookieName()); err == nil {
		if err := s.cfg.Accounts.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	data, err := s.accountData(r) // citizen_account.go
	if err != nil {
		return err
	}
	p := Page{Title: s.T(r, "account.title"), Data: data}
	if r.URL.Query().Get("welcome") != "" {
		p.Flash = s.T(r, "account.welcome")
	}
	s.show(w, r, http.StatusOK, "account.html", p)
	return nil
}

func (s *Server) staffLoginForm(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "staff_login.html", Page{Title: s.T(r, "staff_login.title"),
		Form: url.Values{"next": {r.URL.Query().Get("next")}}})
	return nil
}

func (s *Server) staffLogin(w http.ResponseWriter, r *http.Request) error {
	p := Page{Title: s.T(r, "staff_login.title")}
	u, err := s.cfg.Accounts.AuthenticateStaff(r.Context(), r.PostFormValue("login"),
		r.PostFormValue("password"), r.PostFormValue("totp"))
	if err != nil {
		return s.showForm(w, r, "staff_login.html", p, err)
	}
	return s.enter(w, r, u, "/staff")
}

func (s *Server) staffHome(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "staff.html", Page{Title: s.T(r, "staff.title")})
	return nil
}

// resetForm asks for the national ID to send a code to; with sent=1 it
// asks for the code and the new password.
func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "reset.html", Page{Title: s.T(r, "reset.title")})
	return nil
}

func (s *Server) resetRequest(w http.ResponseWriter, r *http.Request) error {
	p := Page{Title: s.T(r, "reset.title")}
	if err := s.cfg.Accounts.RequestReset(r.Context(), r.PostFormValue("national_id")); err != nil {
		return s.showForm(w, r, "reset.html", p, err)
	}
	// The same answer whether or not the account exists.
	p.Flash = s.T(r, "reset.sent")
	p.Form = url.Values{"national_id": {r.PostFormValue("national_id")}}
	p.Data = resetStep{CodeSent: true}
	s.show(w, r, http.StatusOK, "reset.html", p)
	return nil
}

// resetStep says which half of the reset page to show.
type resetStep struct{ CodeSent bool }

func (s *Server) resetConfirm(w http.ResponseWriter, r *http.Request) error {
	p := Page{Title: s.T(r, "reset.title"), Data: resetStep{CodeSent: true}}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		return s.showForm(w, r, "reset.html", p, errPasswordsDiffer())
	}
	err := s.cfg.Accounts.ResetPassword(r.Context(), r.PostFormValue("national_id"),
		r.PostFormValue("code"), r.PostFormValue("password"))
	if err != nil {
		return s.showForm(w, r, "reset.html", p, err)
	}
	s.show(w, r, http.StatusOK, "login.html", Page{Title: s.T(r, "login.title"),
		Flash: s.T(r, "reset.done")})
	return nil
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) error {
	msgs, err := s.cfg.Outbox.Latest(r.Context(), 50)
	if err != nil {
		return err
	}
	// The demo staff accounts share a published TOTP secret; showing its
	// current code spares a visitor an authenticator app.
	code, err := accounts.TOTPCode(accounts.DemoTOTPSecret, time.Now())
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "outbox.html", Page{Title: s.T(r, "outbox.title"),
		Data: outboxView{Messages: msgs, DemoTOTP: code}})
	return nil
}

// outboxView is the development outbox page's content.
type outboxView struct {
	Messages []notify.Sent
	DemoTOTP string // the demo staff accounts' current code
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	p := Page{Title: s.T(r, "password.title")}
	if u := CurrentUser(r.Context()); u.MustChangePassword {
		p.Flash = s.T(r, "password.must_change")
	}
	s.show(w, r, http.StatusOK, "password.html", p)
	return nil
}

// changePassword sets a new password and signs the browser in again: the
// change ended every session of the account, here and elsewhere.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u := CurrentUser(r.Context())
	p := Page{Title: s.T(r, "password.title")}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		return s.showForm(w, r, "password.html", p, errPasswordsDiffer())
	}
	err := s.cfg.Accounts.ChangePassword(r.Context(), u.ID, r.PostFormValue("current"),
		r.PostFormValue("password"))
	if err != nil {
		return s.showForm(w, r, "password.html", p, err)
	}
	home := "/account"
	if u.IsStaff() {
		home = "/staff"
	}
	return s.enter(w, r, *u, home)
}
