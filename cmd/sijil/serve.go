package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/notify"
	"github.com/sijil-municipality/sijil/verify"
	"github.com/sijil-municipality/sijil/web"
)

func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve")
	data := dataFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	publicURL := publicURLFlag(fs, "")
	demo := fs.Bool("demo", false, "on an empty archive, add demo records and a certificate")
	verifyRate := fs.Int("verify-rate", 120,
		"verify requests a minute allowed per client address (0: no limit)")
	secureCookies := fs.Bool("secure-cookies", false,
		"mark cookies Secure: set it whenever browsers reach the portal over HTTPS")
	authRate := fs.Int("auth-rate", 20,
		"sign-in, registration and code requests a minute per client address")
	accountRate := fs.Int("account-rate", 5,
		"sign-in and code requests a minute naming one national ID or staff name")
	proxies := fs.String("trusted-proxies", os.Getenv("SIJIL_TRUSTED_PROXIES"),
		"CIDR prefixes of the load balancers whose X-Forwarded-For names the client, "+
			"comma-separated (default $SIJIL_TRUSTED_PROXIES; none)")
	smsURL := fs.String("sms-url", os.Getenv("SIJIL_SMS_URL"),
		"the SMS gateway's endpoint, where citizens' codes and notices go "+
			"(default $SIJIL_SMS_URL)")
	smsToken := fs.String("sms-token-file", os.Getenv("SIJIL_SMS_TOKEN_FILE"),
		"a file holding the SMS gateway's token (default $SIJIL_SMS_TOKEN_FILE)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	notifier, err := e.notifier(*smsURL, *smsToken)
	if err != nil {
		return err
	}

	a, err := openApp(ctx, *data, e.log, true)
	if err != nil {
		return err
	}
	defer a.Close()
	kr, err := a.keys()
	if err != nil {
		return err
	}
	keySet, err := a.keySet()
	if err != nil {
		return err
	}
	keySetDoc, err := a.signedKeySet()
	if err != nil {
		return err
	}
	ilog, err := a.issuanceLog()
	if err != nil {
		return err
	}
	// Without a gateway, messages go to the outbox in a demo and nowhere
	// otherwise: a reset code must never be logged.
	outbox := &notify.Outbox{DB: a.db, Log: e.log}
	if *smsURL == "" && *demo {
		notifier = outbox
	}
	accts, err := a.accounts(notifier)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	if *publicURL == "" {
		*publicURL = base
	}
	if err := checkPublicURL(*publicURL); err != nil {
		return err
	}
	domains, err := a.office(*publicURL, accts, notifier)
	if err != nil {
		return err
	}

	store := &certs.Store{DB: a.db}
	srv, err := web.New(web.Config{
		Verifier: &verify.Verifier{Keys: keySet, LogKey: a.logVerifierKey},
		Registry: certs.NewRegistry(store, ilog),
		Codes:    store,
		Log:      ilog,
		KeySet:   keySetDoc,
		Revocations: func(ctx context.Context) ([]byte, error) {
			return certs.SignedRevocationList(ctx, store, kr, office, time.Now())
		},
		VerifyRate:     *verifyRate,
		TrustedProxies: splitList(*proxies),
		Accounts:       accts,
		SecureCookies:  *secureCookies || strings.HasPrefix(*publicURL, "https://"),
		AuthRate:       *authRate,
		AccountRate:    *accountRate,
		Demo:           *demo,
		Outbox:         outbox,
		Office:         domains,
		Logger:         e.log,
	})
	if err != nil {
		return err
	}

	if *demo {
		if err := e.addDemo(ctx, a, *publicURL); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if err := e.addDemoAccounts(ctx, accts); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
		if err := e.addDemoSubscriptions(ctx, domains.Subscriptions); err != nil {
			return err
		}
		if err := e.addDemoRequests(ctx, accts, domains.Requests); err != nil {
			return fmt.Errorf("demo requests: %w", err)
		}
	}
	go purgeSessions(ctx, accts, e.log)
	fmt.Fprintf(e.stdout, "Sijil is serving on %s\n", base)
	e.log.Info("serving", "addr", ln.Addr().String(), "public_url", *publicURL,
		"data", *data)
	return serveUntilDone(ctx, ln, srv.Handler())
}

// serveUntilDone serves until ctx ends, then lets requests in flight finish.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10, // a verify link is about 250 bytes
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// purgeSessions deletes ended sessions every hour until ctx ends: a
// session that nobody signs out of would otherwise stay for ever.
func purgeSessions(ctx context.Context, accts *accounts.Service, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if n, err := accts.PurgeSessions(ctx); err != nil {
			log.Error("purge sessions", "err", err)
		} else if n > 0 {
			log.Info("ended sessions purged", "sessions", n)
		}
	}
}

// splitList reads a comma-separated flag, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// notifier is the SMS gateway at endpoint with the token in tokenFile, or,
// with no endpoint, the one that says no channel is configured.
func (e *env) notifier(endpoint, tokenFile string) (notify.Notifier, error) {
	if endpoint == "" {
		return notify.Log{Log: e.log}, nil
	}
	if tokenFile == "" {
		return nil, fmt.Errorf("--sms-url needs --sms-token-file")
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, fmt.Errorf("SMS gateway token: %w", err)
	}
	return notify.NewGateway(endpoint, strings.TrimSpace(string(token)), e.log)
}
