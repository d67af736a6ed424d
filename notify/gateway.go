package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sijil-municipality/sijil"
)

// Gateway sends each message as an SMS through the municipality's SMS
// gateway: an HTTPS endpoint that takes one message per POST, as JSON
// {"to", "text", "id"}, with the token as a bearer credential, and answers
// 2xx once it has queued the message. Operators adapt their provider's API
// to this shape in the gateway, so that Sijil holds no provider's code.
type Gateway struct {
	URL    string // the endpoint, https:// except on loopback
	Token  string // sent as "Authorization: Bearer TOKEN"; never logged
	Client *http.Client
	Log    *slog.Logger
}

// gatewayTimeout bounds one send: a citizen waits on the page for it.
const gatewayTimeout = 10 * time.Second

// NewGateway checks the endpoint and returns a gateway that sends to it.
func NewGateway(endpoint, token string, log *slog.Logger) (*Gateway, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("notify: SMS gateway URL %q: give a full URL such as "+
			"https://sms.example.org/send", endpoint)
	}
	loopback := u.Hostname() == "127.0.0.1" || u.Hostname() == "::1" ||
		u.Hostname() == "localhost"
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return nil, fmt.Errorf("notify: SMS gateway URL %q: messages carry one-time "+
			"codes, so the gateway must be reached over https (http only on loopback)",
			endpoint)
	}
	if token == "" {
		return nil, fmt.Errorf("notify: the SMS gateway needs a token")
	}
	return &Gateway{URL: endpoint, Token: token, Client: &http.Client{Timeout: gatewayTimeout},
		Log: log}, nil
}

// Send posts m to the gateway. A gateway that cannot be reached or fails
// (5xx) gives kind Unavailable, so the person is told to try again; one
// that refuses the message (4xx, a number it cannot reach) gives Invalid.
func (g *Gateway) Send(ctx context.Context, m Message) error {
	id := newMessageID()
	body, err := json.Marshal(struct {
		To   string `json:"to"`
		Text string `json:"text"`
		ID   string `json:"id"`
	}{m.To, m.Body, id})
	if err != nil {
		return fmt.Errorf("notify: encode SMS: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: SMS request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+g.Token)

	resp, err := g.Client.Do(req)
	if err != nil {
		g.Log.Error("SMS gateway unreachable", "message_id", id, "user_id", m.UserID,
			"err", err)
		return errGatewayDown
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		g.Log.Info("SMS handed to the gateway", "message_id", id, "user_id", m.UserID)
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 &&
		resp.StatusCode != http.StatusTooManyRequests:
		g.Log.Warn("SMS gateway refused a message", "message_id", id, "user_id", m.UserID,
			"status", resp.StatusCode)
		return sijil.Errorf(sijil.Invalid, "notify.refused",
			"The message could not be sent to this phone number. Check the number on "+
				"your account, or call the 115 hotline.")
	}
	g.Log.Error("SMS gateway failed", "message_id", id, "user_id", m.UserID,
		"status", resp.StatusCode)
	return errGatewayDown
}

var errGatewayDown = sijil.Errorf(sijil.Unavailable, "notify.unavailable",
	"Messages cannot be sent at the moment; try again in a few minutes or call the 115 "+
		"hotline.")
