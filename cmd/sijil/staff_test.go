package main_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func TestStaffAddThenSignInWithTOTP(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	port := freePort(t)
	base := "http://127.0.0.1:" + port
	startServe(t, data, port, base)

	out := sijil(t, 0, "staff", "add", "--data", data, "--name", "ops1",
		"--full-name", "Rana Haddad", "--role", "clerk,supervisor")
	password := regexp.MustCompile(`Initial password \(shown once[^)]*\): (\S+)`).
		FindStringSubmatch(out)
	uri := regexp.MustCompile(`otpauth://totp/\S+`).FindString(out)
	if password == nil || uri == "" {
		t.Fatalf("no password or enrolment URI in:\n%s", out)
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(key.Secret(), time.Now())
	if err != nil {
		t.Fatal(err)
	}

	// The initial password opens only the form that replaces it.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	path, _ := postForm(t, client, base, "/staff/login",
		url.Values{"login": {"ops1"}, "password": {password[1]}, "totp": {code}})
	if path != "/password" {
		t.Fatalf("first sign-in went to %s, want /password", path)
	}
	path, body := postForm(t, client, base, "/password", url.Values{"current": {password[1]},
		"password": {"rana's own password"}, "password2": {"rana's own password"}})
	if path != "/staff" || !strings.Contains(string(body), "Rana Haddad") ||
		!strings.Contains(string(body), "Supervisor") {
		t.Fatalf("after the new password: %s\n%s", path, body)
	}

	// The same name twice, or a role that does not exist, is refused.
	sijil(t, 1, "staff", "add", "--data", data, "--name", "ops1", "--role", "clerk")
	sijil(t, 1, "staff", "add", "--data", data, "--name", "ops2", "--role", "root")
}

// postForm posts a form as the site's own page would, follows redirects,
// and returns the final path and body.
func postForm(t *testing.T, c *http.Client, base, path string, form url.Values) (
	string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Accept-Language", "en")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.Request.URL.Path, string(body)
}
