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
	password := regexp.MustCompile(`Initial password \(shown once\): (\S+)`).
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

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	form := url.Values{"login": {"ops1"}, "password": {password[1]}, "totp": {code}}
	req, _ := http.NewRequest(http.MethodPost, base+"/staff/login",
		strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Accept-Language", "en")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/staff" || !strings.Contains(string(body), "Rana Haddad") ||
		!strings.Contains(string(body), "Supervisor") {
		t.Fatalf("after sign-in: %s %d\n%s", resp.Request.URL, resp.StatusCode, body)
	}

	// The same name twice, or a role that does not exist, is refused.
	sijil(t, 1, "staff", "add", "--data", data, "--name", "ops1", "--role", "clerk")
	sijil(t, 1, "staff", "add", "--data", data, "--name", "ops2", "--role", "root")
}
