package web_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil/accounts"
)

// maxPageWeight is the budget of a portal page as sent to a phone:
// compressed, with everything it needs (no external assets).
const maxPageWeight = 30 << 10

// TestPageWeights fetches every page a GET route serves without
// parameters, as each persona that may see it, and fails a page over the
// budget. It logs the weights, as the report of what pages cost.
func TestPageWeights(t *testing.T) {
	p := newPortal(t)
	b := map[string]*browser{"anonymous": p.browser(t), "citizen": p.browser(t),
		"staff": p.browser(t)}
	b["citizen"].signInCitizen(p, 1)
	b["staff"].signInStaff(p, "weights", accounts.StaffRoles...)

	err := chi.Walk(p.handler.(chi.Routes), func(method, route string, _ http.Handler,
		_ ...func(http.Handler) http.Handler) error {
		if method != http.MethodGet || strings.Contains(route, "{") {
			return nil
		}
		for _, name := range []string{"anonymous", "citizen", "staff"} {
			r := b[name].get(route)
			if r.status != http.StatusOK || !strings.Contains(r.body, "<html") {
				continue
			}
			n := gzipSize(t, r.body)
			t.Logf("%-24s %-9s %6d bytes, %5d compressed", route, name, len(r.body), n)
			if n > maxPageWeight {
				t.Errorf("%s as %s weighs %d bytes compressed, over %d", route, name, n,
					maxPageWeight)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func gzipSize(t *testing.T, s string) int {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, 1) // the level the server compresses at
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}
