package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/verify"
	"github.com/sijil-municipality/sijil/web"
)

// contents is the certificate data a web node holds, keyed by id.
type contents map[string][]byte

func (c contents) ContentByID(_ context.Context, id string) ([]byte, error) {
	b, ok := c[id]
	if !ok {
		return nil, sijil.Errorf(sijil.NotFound, "certs.not_found", "no such certificate")
	}
	return b, nil
}

// fixture is a server holding one genuine certificate.
type fixture struct {
	srv   *httptest.Server
	token string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	now := time.Now().UTC()
	kr, _, err := certs.OpenKeyring(t.TempDir(), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := kr.Current()
	if err != nil {
		t.Fatal(err)
	}
	keySetDoc, err := kr.SignedKeySet("بلدية المدينة")
	if err != nil {
		t.Fatal(err)
	}
	claims := verify.Claims{Kind: verify.KindBuilding, Schema: verify.SchemaVersion,
		ID: []byte("ABCDEFGHIJ"), IssuedAt: now.Unix()}
	content := verify.Content{Kind: verify.KindBuilding, Schema: verify.SchemaVersion,
		ID: claims.CertID(), IssuedAt: now.Unix(), Issuer: "بلدية المدينة",
		Building: &verify.Building{HolderName: "سلمى يوسف", HolderID: "123456782",
			Neighbourhood: "الشجاعية", TotalAreaM2: "95",
			Floors: []verify.Floor{{Level: "الأرضي", AreaM2: "95", Use: "سكني"}}}}
	encoded, err := content.Encode()
	if err != nil {
		t.Fatal(err)
	}
	claims.Digest = verify.Digest(encoded)
	token, err := signer.SignClaims(claims)
	if err != nil {
		t.Fatal(err)
	}

	s, err := web.New(web.Config{
		Verifier: &verify.Verifier{Keys: kr.KeySet("بلدية المدينة")},
		Contents: contents{claims.CertID(): encoded},
		KeySet:   keySetDoc,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return fixture{srv: srv, token: token}
}

func (f fixture) get(t *testing.T, path, accept string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestVerifyPage(t *testing.T) {
	f := newFixture(t)
	tampered := replaceAt(f.token, 30)

	tests := []struct {
		name       string
		path       string
		accept     string
		wantStatus int
		want       []string
		notWant    []string
	}{
		{"genuine, as a page", "/V/" + f.token, "text/html", 200,
			[]string{`dir="rtl"`, "سلمى يوسف", "••••••782", "الشجاعية", "115"},
			[]string{"123456782"}},
		{"genuine, as JSON", "/V/" + f.token, "application/json", 200,
			[]string{`"status": "valid"`, `"content_checked": true`}, []string{"123456782"}},
		{"API", "/api/v1/verify/" + f.token, "", 200, []string{`"status": "valid"`}, nil},
		{"tampered, as a page", "/V/" + tampered, "text/html", 200,
			[]string{"لا يمكن التحقق", "Not valid"}, []string{"سلمى"}},
		{"tampered, as JSON", "/V/" + tampered, "application/json", 200,
			[]string{`"status": "invalid"`, `"reason"`}, []string{"certificate_id"}},
		{"hostile token", "/V/" + url.PathEscape("<script>alert(1)</script>"), "text/html",
			200, []string{"لا يمكن التحقق"}, []string{"<script>"}},
		{"home names the hotline", "/", "text/html", 200, []string{"115", `lang="ar"`}, nil},
		{"key set", "/.well-known/sijil-keys.json", "", 200, []string{`"signatures"`}, nil},
		{"pasted link", "/verify?code=" + url.QueryEscape("HTTP://X/V/"+f.token), "text/html",
			200, []string{"سلمى يوسف"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.get(t, tt.path, tt.accept)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d\n%s", status, tt.wantStatus, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("response lacks %q:\n%s", w, body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("response must not contain %q", w)
				}
			}
		})
	}
}

func TestPublishedKeySetIsSignedAndVerifies(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/.well-known/sijil-keys.json", "")
	ks, err := verify.ReadSignedKeySet([]byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := (&verify.Verifier{Keys: ks}).Check(f.token, nil)
	if res.Status != verify.StatusValid {
		t.Errorf("the published key set does not verify a genuine token: %+v", res)
	}
	tampered := strings.Replace(body, `"signatures"`, `"signatures_"`, 1)
	if _, err := verify.ReadSignedKeySet([]byte(tampered), nil); err == nil {
		t.Error("a key set stripped of its signatures was accepted")
	}
}

func TestVerifyJSONShape(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "/V/"+f.token, "application/json")
	var res verify.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if res.Status != verify.StatusValid || res.Content == nil ||
		res.Content.Building.HolderName != "سلمى يوسف" {
		t.Errorf("JSON verdict %+v", res)
	}
}

// replaceAt changes the character at i to another base32 letter.
func replaceAt(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
