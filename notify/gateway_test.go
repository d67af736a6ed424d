package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/notify"
)

// TestGatewaySendsAndSaysWhyNot checks what a citizen waiting for a code
// is told: sent, a number the gateway refuses, or a gateway that is down;
// and that the code itself never reaches the log.
func TestGatewaySendsAndSaysWhyNot(t *testing.T) {
	var got struct{ To, Text, ID, Auth string }
	status := http.StatusAccepted
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ To, Text, ID string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("gateway got %v", err)
		}
		got.To, got.Text, got.ID = body.To, body.Text, body.ID
		got.Auth = r.Header.Get("Authorization")
		w.WriteHeader(status)
	}))
	defer gw.Close()
	var logged bytes.Buffer
	g, err := notify.NewGateway(gw.URL, "s3cret-token", slog.New(slog.NewTextHandler(&logged,
		nil)))
	if err != nil {
		t.Fatal(err)
	}
	msg := notify.Message{UserID: "usr_1", To: "+970599000111", Subject: "code",
		Body: "رمزك 834201 · your code 834201"}
	ctx := context.Background()

	if err := g.Send(ctx, msg); err != nil {
		t.Fatalf("Send to a working gateway: %v", err)
	}
	if got.To != msg.To || got.Text != msg.Body || got.Auth != "Bearer s3cret-token" ||
		!strings.HasPrefix(got.ID, "msg_") {
		t.Errorf("the gateway received %+v", got)
	}

	for _, c := range []struct {
		status int
		want   sijil.Kind
	}{
		{http.StatusBadRequest, sijil.Invalid},
		{http.StatusTooManyRequests, sijil.Unavailable},
		{http.StatusBadGateway, sijil.Unavailable},
	} {
		status = c.status
		if err := g.Send(ctx, msg); sijil.KindOf(err) != c.want {
			t.Errorf("gateway answering %d: %v, want kind %v", c.status, err, c.want)
		}
	}

	gw.Close()
	if err := g.Send(ctx, msg); sijil.KindOf(err) != sijil.Unavailable {
		t.Errorf("gateway down: %v, want Unavailable", err)
	}
	for _, secret := range []string{"834201", "s3cret-token", msg.To} {
		if strings.Contains(logged.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logged.String())
		}
	}
}

// TestGatewayNeedsHTTPSAndAToken checks the settings refused at start:
// one-time codes must not cross the network in clear.
func TestGatewayNeedsHTTPSAndAToken(t *testing.T) {
	for _, c := range []struct{ url, token string }{
		{"http://sms.example.org/send", "t"},
		{"sms.example.org/send", "t"},
		{"https://sms.example.org/send", ""},
	} {
		if _, err := notify.NewGateway(c.url, c.token, slog.Default()); err == nil {
			t.Errorf("NewGateway(%q, %q) was accepted", c.url, c.token)
		}
	}
	if _, err := notify.NewGateway("https://sms.example.org/send", "t",
		slog.Default()); err != nil {
		t.Errorf("an https gateway with a token: %v", err)
	}
}
