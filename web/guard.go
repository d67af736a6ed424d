package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/sijil-municipality/sijil"
)

// portalHeaders keeps the portal's pages out of other sites' frames and
// lets them load nothing from elsewhere: pages have inline CSS and no
// script.
func (s *Server) portalHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "+
			"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses any form post, put or delete a browser sends from
// another site (CSRF), using the browser's Sec-Fetch-Site and Origin
// headers; see net/http.CrossOriginProtection. Safe methods pass. A
// request with neither, as an old browser or a stripping proxy sends, is
// refused too when its Referer names another site.
func (s *Server) crossOrigin() func(http.Handler) http.Handler {
	deny := s.handle(func(http.ResponseWriter, *http.Request) error {
		return sijil.Errorf(sijil.Forbidden, "web.cross_origin",
			"This form was sent from another site and was refused. Open Sijil's own page "+
				"and try again.")
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(deny)
	return func(next http.Handler) http.Handler {
		checked := cop.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if foreignReferer(r) {
				deny.ServeHTTP(w, r)
				return
			}
			checked.ServeHTTP(w, r)
		})
	}
}

// foreignReferer reports an unsafe request without Origin or
// Sec-Fetch-Site whose Referer is another site's page.
func foreignReferer(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	if r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != "" {
		return false
	}
	ref := r.Header.Get("Referer")
	if ref == "" {
		return false
	}
	u, err := url.Parse(ref)
	return err != nil || u.Host != r.Host
}

// authLimits are the rate limits of a sign-in or code form: per client
// address, and per account named in field (hashed, so that the limiter's
// memory holds no national ID); field "" limits by address only.
func (s *Server) authLimits(field string) []func(http.Handler) http.Handler {
	tooMany := httprate.WithLimitHandler(s.handle(
		func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Retry-After", "60")
			return errTooMany
		}))
	// A sign-in form is a few hundred bytes; reading more is wasted work.
	limits := []func(http.Handler) http.Handler{limitBody(maxAuthForm)}
	if s.cfg.AuthRate > 0 {
		limits = append(limits, httprate.Limit(s.cfg.AuthRate, time.Minute,
			httprate.WithKeyFuncs(clientKey), tooMany))
	}
	if s.cfg.AccountRate > 0 && field != "" {
		limits = append(limits, httprate.Limit(s.cfg.AccountRate, time.Minute,
			httprate.WithKeyFuncs(func(r *http.Request) (string, error) {
				v := strings.TrimSpace(sijil.NormalizeDigits(r.PostFormValue(field)))
				sum := sha256.Sum256([]byte(strings.ToLower(v)))
				return field + ":" + hex.EncodeToString(sum[:16]), nil
			}), tooMany))
	}
	return limits
}

// errTooMany is the answer past a rate limit. Its kind is Unavailable
// (503, "try again later"); statusOf turns this key into 429.
var errTooMany = sijil.Errorf(sijil.Unavailable, "web.too_many",
	"Too many attempts. Wait a minute and try again.")

// maxAuthForm bounds the body of a sign-in or code form.
const maxAuthForm = 16 << 10

func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// statusFor is the HTTP status of err.
func statusFor(err error) int {
	if errors.Is(err, errTooMany) {
		return http.StatusTooManyRequests
	}
	return statusOf(sijil.KindOf(err))
}

func errPasswordsDiffer() *sijil.Error {
	return sijil.Errorf(sijil.Invalid, "web.passwords_differ",
		"The two passwords are not the same.")
}

// clientKey is the rate-limit key of the client Handler's ClientIP
// middleware found. A forwarded chain it could not read leaves none: those
// requests share one key, so that garbage in the header buys no fresh
// allowance.
func clientKey(r *http.Request) (string, error) {
	if ip := middleware.GetClientIP(r.Context()); ip != "" {
		return "ip:" + ip, nil
	}
	return "ip:unknown", nil
}

func requestID(r *http.Request) string { return middleware.GetReqID(r.Context()) }
