package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
)

// cookieName is the session cookie's name. Over TLS it takes the __Host-
// prefix, which browsers accept only from a secure origin, for the whole
// site and with no Domain: another subdomain cannot plant or read it.
func (s *Server) cookieName() string {
	if s.cfg.SecureCookies {
		return "__Host-sijil_session"
	}
	return "sijil_session"
}

type userKey struct{}

// CurrentUser returns the signed-in user of the request, or nil for an
// anonymous one. It is set by the session middleware on every portal
// route (not on the public verify routes).
func CurrentUser(ctx context.Context) *accounts.User {
	u, _ := ctx.Value(userKey{}).(*accounts.User)
	return u
}

// loadSession puts the user of the session cookie, if any, into the
// request context. An ended or unknown session clears the cookie.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookieName())
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		u, _, err := s.cfg.Accounts.SessionUser(r.Context(), c.Value)
		if err != nil {
			if sijil.KindOf(err) != sijil.Unauthorized {
				s.fail(w, r, err)
				return
			}
			s.clearSessionCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		// Pages for a signed-in person are theirs alone: no cache may keep
		// them, and a shared office PC must not show them after sign-out.
		w.Header().Set("Cache-Control", "private, no-store")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, &u)))
	})
}

// signIn ends the browser's old session, if any, and starts a new one, so
// that a token planted before sign-in (session fixation) is worthless.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, u accounts.User) error {
	if c, err := r.Cookie(s.cookieName()); err == nil {
		if err := s.cfg.Accounts.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	token, _, err := s.cfg.Accounts.StartSession(r.Context(), u.ID)
	if err != nil {
		return err
	}
	// No Expires: closing the browser forgets the cookie, which matters on
	// shared office PCs; the server ends the session in time anyway.
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		Expires: time.Unix(0, 0), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.SecureCookies})
}

// RequireCitizen lets through only a signed-in citizen. Anyone else
// signed out is sent to the sign-in page (or gets 401 in JSON); a staff
// member gets 403: staff accounts never act as citizens.
func (s *Server) RequireCitizen(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := CurrentUser(r.Context())
		switch {
		case u == nil:
			s.needSignIn(w, r, "/login")
		case !u.IsCitizen():
			s.fail(w, r, errForbidden())
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// RequireStaff lets through only a signed-in staff member holding at
// least one of roles; with no roles, any staff member. Anyone signed out
// is sent to the staff sign-in page (or gets 401 in JSON); a citizen or a
// staff member without the role gets 403.
func (s *Server) RequireStaff(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u := CurrentUser(r.Context())
			switch {
			case u == nil:
				s.needSignIn(w, r, "/staff/login")
			case !u.IsStaff() || (len(roles) > 0 && !u.HasAny(roles...)):
				s.fail(w, r, errForbidden())
			case u.MustChangePassword:
				s.needNewPassword(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// RequireSignedIn lets through anyone signed in, citizen or staff, even
// one who must still change their password: the password form is behind
// it.
func (s *Server) RequireSignedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if CurrentUser(r.Context()) == nil {
			s.needSignIn(w, r, "/login")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// needNewPassword sends a staff member whose password an admin chose to
// the password form before anything else.
func (s *Server) needNewPassword(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !wantsJSON(r) {
		http.Redirect(w, r, "/password", http.StatusSeeOther)
		return
	}
	s.fail(w, r, sijil.Errorf(sijil.Forbidden, "web.change_password_first",
		"Choose your own password first."))
}

func errForbidden() error {
	return sijil.Errorf(sijil.Forbidden, "web.forbidden",
		"Your account may not open this page.")
}

// needSignIn sends a browser asking for a page to the sign-in form, to
// come back after; anything else (a form post, a script) gets 401.
func (s *Server) needSignIn(w http.ResponseWriter, r *http.Request, login string) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !wantsJSON(r) {
		http.Redirect(w, r, login+"?next="+url.QueryEscape(r.URL.RequestURI()),
			http.StatusSeeOther)
		return
	}
	s.fail(w, r, sijil.Errorf(sijil.Unauthorized, "web.sign_in_first",
		"Sign in first."))
}
