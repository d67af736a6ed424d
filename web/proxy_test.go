package web_test

import (
	"net/http"
	"testing"

	"github.com/sijil-municipality/sijil/web"
)

// TestRateLimitsCountTheClientBehindTrustedProxies checks whose requests a
// verify limit counts: behind the load balancer, each client's own; with no
// proxy trusted, a client who writes X-Forwarded-For still counts as itself.
func TestRateLimitsCountTheClientBehindTrustedProxies(t *testing.T) {
	verifyAs := func(p *portal, forwardedFor string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, p.srv.URL+"/verify", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// The test's client is at 127.0.0.1: here it plays the load balancer.
	behind := newPortal(t, func(c *web.Config) {
		c.VerifyRate, c.TrustedProxies = 2, []string{"127.0.0.1/32", "::1/128"}
	})
	for i := range 2 {
		if got := verifyAs(behind, "203.0.113.5"); got != http.StatusOK {
			t.Fatalf("request %d of a client behind the proxy: %d", i+1, got)
		}
	}
	if got := verifyAs(behind, "203.0.113.5"); got != http.StatusTooManyRequests {
		t.Errorf("third request of one client in a minute: %d, want 429", got)
	}
	if got := verifyAs(behind, "198.51.100.7, 203.0.113.5"); got != http.StatusTooManyRequests {
		t.Errorf("the same client naming another address before its own: %d, want 429", got)
	}
	if got := verifyAs(behind, "203.0.113.6"); got != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d, want 200", got)
	}

	direct := newPortal(t, func(c *web.Config) { c.VerifyRate = 2 })
	for _, spoofed := range []string{"203.0.113.1", "203.0.113.2"} {
		if got := verifyAs(direct, spoofed); got != http.StatusOK {
			t.Fatalf("a direct client's request: %d", got)
		}
	}
	if got := verifyAs(direct, "203.0.113.3"); got != http.StatusTooManyRequests {
		t.Errorf("a direct client with a fresh X-Forwarded-For: %d, want 429: the "+
			"header must not buy a new allowance", got)
	}
}

// TestTrustedProxiesMustBePrefixes checks that a mistyped proxy range
// stops the server at start instead of trusting nothing or everything.
func TestTrustedProxiesMustBePrefixes(t *testing.T) {
	if _, err := web.New(web.Config{TrustedProxies: []string{"10.0.0.1"}}); err == nil {
		t.Error("a bare address was taken as a trusted proxy prefix")
	}
}
