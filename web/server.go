// Package web turns HTTP requests into calls on Sijil's domain packages and
// renders their answers as pages or JSON. No domain package imports it.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/notify"
	"github.com/sijil-municipality/sijil/verify"
)

//go:embed templates/*.html
var templateFS embed.FS

// PublicLog is the issuance log as the public may read it.
type PublicLog interface {
	Checkpoint(ctx context.Context) ([]byte, error)
	Inclusion(ctx context.Context, index, size uint64) ([][]byte, error)
	Consistency(ctx context.Context, from, to uint64) ([][]byte, error)
	Leaf(ctx context.Context, index uint64) ([]byte, error)
}

// Server serves the portal and the public verify pages. Build it with New.
type Server struct {
	cfg      Config
	log      *slog.Logger
	pages    map[string]*template.Template // one set per language, each with its T
	catalogs map[string]catalog
}

// Config is what the server needs. Registry and Log may be nil on a
// verify node that holds no certificate data: tokens are still checked.
// Accounts may be nil too: the portal's pages are then not served.
type Config struct {
	Verifier *verify.Verifier
	Registry verify.Registry
	Log      PublicLog
	KeySet   []byte // the signed key set, as published

	// Codes finds a certificate's token by its printed number or check
	// code; nil where this node holds no certificates.
	Codes interface {
		TokenByCode(ctx context.Context, typed string) (string, error)
	}

	// Revocations returns the signed revocation list as published.
	Revocations func(ctx context.Context) ([]byte, error)

	// VerifyRate is how many verify requests one client address may make a
	// minute; 0 turns the limit off (for load tests on loopback).
	VerifyRate int

	// TrustedProxies are the CIDR prefixes of the load balancers and
	// reverse proxies in front of the server, whose X-Forwarded-For names
	// the client; empty trusts none, and the TCP peer is the client. Rate
	// limits count by the client so found.
	TrustedProxies []string

	// Accounts signs citizens and staff in; nil on a verify-only node.
	Accounts *accounts.Service

	// SecureCookies marks cookies Secure; set it whenever browsers reach
	// the server over HTTPS, even through a proxy that ends TLS.
	SecureCookies bool

	// AuthRate is how many sign-in, registration and code requests one
	// client address may make a minute; AccountRate how many may name one
	// national ID or sign-in name. 0 turns a limit off (tests only).
	AuthRate    int
	AccountRate int

	// Demo serves the development outbox at /dev/outbox, to anyone: demo
	// data only. Outbox is where the demo notifier keeps messages.
	Demo   bool
	Outbox *notify.Outbox

	// The office behind the portal. Each area's pages are served only when
	// what they call is set (see Handler); 'sijil serve' sets them all.
	Office

	Logger *slog.Logger
}

// New parses the templates once per language, failing fast on a broken
// one, and returns the server.
func New(cfg Config) (*Server, error) {
	cats, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	for _, p := range cfg.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			return nil, fmt.Errorf("trusted proxy %q: give a CIDR prefix such as "+
				"10.0.0.0/8 or 127.0.0.1/32: %w", p, err)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, log: log, catalogs: cats, pages: map[string]*template.Template{}}
	for _, lang := range languages {
		t, err := template.New("").Funcs(template.FuncMap{
			"when": readableTime,
			"kind": kindName,
			"recordType": func(code string) string {
				ar, en := certs.RecordTypeLabel(code)
				if ar == en {
					return ar
				}
				return ar + " · " + en
			},
			"reason": reasonName,
			"T": func(key string, args ...any) string {
				return s.translate(lang, key, args...)
			},
			"N": func(key string, n any, args ...any) (string, error) {
				count, err := countOf(n)
				return s.translateN(lang, key, count, args...), err
			},
			"other": otherLang,
			"problem": func(p Page, field string) fieldProblem {
				return fieldProblem{Field: field, Message: p.Problems[field]}
			},
			"has": func(u *accounts.User, role string) bool { return u != nil && u.Has(role) },
		}).ParseFS(templateFS, "templates/*.html")
		if err != nil {
			return nil, err
		}
		s.pages[lang] = t
	}
	return s, nil
}

// otherLang is the language the header's switch offers.
func otherLang(lang string) string {
	if lang == langAR {
		return langEN
	}
	return langAR
}

// Handler returns the routes, registered in one place. Each group states
// who may reach its routes; TestAuthorization holds every route to it.
//
// To add a page: register it in the area's function (citizenRoutes in
// routes_citizen.go, clerkRoutes, archivistRoutes, adminRoutes), which
// Handler mounts behind its role; narrow one route further with
// r.With(s.RequireStaff(role)). Write the handler as a handlerFunc that
// returns its error, answer with s.show(w, r, status, "name.html",
// Page{Title: s.T(r, "login.title"), Data: …}) or, for a form that failed,
// return s.showForm(…). Find the person with CurrentUser(r.Context()).
// Put the texts in web/i18n/AREA.ar.json and AREA.en.json, and the route
// in the access table of authz_test.go.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	// Not RealIP: it trusts X-Forwarded-For from anyone, which would let a
	// client pick its own rate-limit key. Only the proxies named are
	// believed about who the client is.
	clientIP := middleware.ClientIPFromRemoteAddr
	if len(s.cfg.TrustedProxies) > 0 {
		clientIP = middleware.ClientIPFromXFF(s.cfg.TrustedProxies...)
	}
	r.Use(middleware.RequestID, clientIP, s.logRequests, middleware.Recoverer,
		middleware.GetHead)
	// Pages are compressed for phones on weak networks; the JSON API is
	// small, and compressing it cost more CPU and memory than it saved.
	r.Use(middleware.Compress(1, "text/html"))
	r.Use(chooseLang)

	r.NotFound(s.handle(func(http.ResponseWriter, *http.Request) error {
		return sijil.Errorf(sijil.NotFound, "web.not_found", "There is no such page.")
	}))
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	r.Get("/lang", s.handle(s.setLang))

	// Public verification: no session, a rate limit per client so that
	// nobody can probe ids in bulk, short caching since a certificate can
	// be revoked.
	r.Group(func(r chi.Router) {
		// Past what the machine can answer, requests wait a little in a
		// bounded queue and are then turned away: a burst must cost a few
		// refusals, never the server's memory.
		r.Use(middleware.ThrottleBacklog(verifyInFlight, verifyBacklog, verifyQueueWait))
		if s.cfg.VerifyRate > 0 {
			r.Use(httprate.Limit(s.cfg.VerifyRate, time.Minute,
				httprate.WithKeyFuncs(clientKey)))
		}
		r.Get("/verify", s.handle(s.verifyForm))
		r.Post("/verify/pdf", s.handle(s.verifyPDF))
		r.Get(verify.TokenPath+"{token}", s.handle(s.verifyToken))
		r.Get("/api/v1/verify/{token}", s.handle(s.verifyAPI))
	})

	// Public data a verifier may keep for offline checks.
	r.Get("/.well-known/sijil-keys.json", s.keys)
	if s.cfg.Revocations != nil {
		r.Get("/.well-known/sijil-revocations.json", s.handle(s.revocations))
	}
	if s.cfg.Log != nil {
		r.Get("/log/checkpoint", s.handle(s.logCheckpoint))
		r.Get("/log/leaf/{index}", s.handle(s.logLeaf))
		r.Get("/log/proof/inclusion", s.handle(s.logInclusion))
		r.Get("/log/proof/consistency", s.handle(s.logConsistency))
	}

	if s.cfg.Accounts == nil {
		r.Get("/", s.handle(s.home))
		return r
	}

	// The portal: sessions, and no form posted from another site.
	r.Group(func(r chi.Router) {
		r.Use(s.portalHeaders, s.crossOrigin(), s.loadSession)
		r.Get("/", s.handle(s.portalHome))

		// Signing in, out and up. Each form post is limited per client
		// address and per account it names, against password guessing.
		r.Get("/login", s.handle(s.loginForm))
		r.With(s.authLimits("national_id")...).Post("/login", s.handle(s.login))
		r.Get("/register", s.handle(s.registerForm))
		r.With(s.authLimits("national_id")...).Post("/register", s.handle(s.register))
		r.Get("/reset", s.handle(s.resetForm))
		r.With(s.authLimits("national_id")...).Post("/reset", s.handle(s.resetRequest))
		r.With(s.authLimits("national_id")...).Post("/reset/confirm",
			s.handle(s.resetConfirm))
		r.Get("/staff/login", s.handle(s.staffLoginForm))
		r.With(s.authLimits("login")...).Post("/staff/login", s.handle(s.staffLogin))
		r.Post("/logout", s.handle(s.logout))
		if s.cfg.Demo && s.cfg.Outbox != nil {
			r.Get("/dev/outbox", s.handle(s.outbox))
		}

		// Anyone signed in: their own password.
		r.Group(func(r chi.Router) {
			r.Use(s.RequireSignedIn)
			r.Get("/password", s.handle(s.passwordForm))
			r.With(s.authLimits("")...).Post("/password", s.handle(s.changePassword))
		})

		// Citizens' pages.
		r.Group(func(r chi.Router) {
			r.Use(s.RequireCitizen)
			r.Get("/account", s.handle(s.account))
			if s.cfg.Requests != nil {
				s.citizenRoutes(r)
			}
		})

		// Staff pages: any staff member here; each area narrows by role.
		r.Group(func(r chi.Router) {
			r.Use(s.RequireStaff())
			r.Get("/staff", s.handle(s.staffHome))
		})
		if s.cfg.Requests != nil {
			r.Group(func(r chi.Router) {
				r.Use(s.RequireStaff(accounts.RoleClerk, accounts.RoleSupervisor))
				s.clerkRoutes(r)
			})
		}
		if s.cfg.Archive != nil {
			r.Group(func(r chi.Router) {
				r.Use(s.RequireStaff(accounts.RoleArchivist))
				s.archivistRoutes(r)
			})
		}
		r.Group(func(r chi.Router) {
			r.Use(s.RequireStaff(accounts.RoleAdmin))
			s.adminRoutes(r)
		})
	})
	return r
}

// Bounds on concurrent verify work; see the throttle in Handler.
const (
	verifyInFlight  = 64
	verifyBacklog   = 1024
	verifyQueueWait = 3 * time.Second
)

// handlerFunc is a handler that returns its failure for one adapter to
// answer, so every error is logged once and shown the same way.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusFor(err)
	s.logFailure(r, status, err)

	key, msg := sijil.UserMessage(err)
	if wantsJSON(r) {
		writeJSON(w, status, map[string]string{"error": msg, "key": key})
		return
	}
	s.show(w, r, status, "error.html", Page{Title: s.T(r, "error.title"),
		Message: s.userMessage(Lang(r.Context()), err)})
}

// logFailure logs a failed request once: 5xx at Error, the rest at Warn.
func (s *Server) logFailure(r *http.Request, status int, err error) {
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "request failed", "request_id",
		middleware.GetReqID(r.Context()), "path", r.URL.Path, "status", status, "err", err)
}

func statusOf(k sijil.Kind) int {
	switch k {
	case sijil.Invalid:
		return http.StatusBadRequest
	case sijil.NotFound:
		return http.StatusNotFound
	case sijil.Conflict:
		return http.StatusConflict
	case sijil.TooLarge:
		return http.StatusRequestEntityTooLarge
	case sijil.Unauthorized:
		return http.StatusUnauthorized
	case sijil.Forbidden:
		return http.StatusForbidden
	case sijil.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// kindName names a certificate kind in Arabic with English.
func kindName(kind string) string {
	switch kind {
	case "building":
		return "إفادة مبنى · Building certificate"
	case "craft":
		return "إفادة حرفة · Craft certificate"
	case "copy":
		return "صورة طبق الأصل · Certified copy"
	}
	return kind
}

// reasonName says a revocation reason code in Arabic.
func reasonName(code string) string {
	switch code {
	case verify.ReasonSuperseded:
		return "استبدلت بإفادة مصححة"
	case verify.ReasonIssuedInErr:
		return "صدرت خطأً"
	case verify.ReasonFactsChanged:
		return "تغيرت الوقائع في السجلات"
	case verify.ReasonCourtOrder:
		return "بقرار من المحكمة"
	case verify.ReasonFraud:
		return "احتيال"
	}
	return code
}

// readableTime shows an RFC 3339 time as a person reads it, in UTC.
func readableTime(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json") ||
		strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/log/")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		s.log.Debug("request", "request_id", middleware.GetReqID(r.Context()),
			"method", r.Method, "path", r.URL.Path, "status", ww.Status(),
			"duration_ms", time.Since(start).Milliseconds())
	})
}
