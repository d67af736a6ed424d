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

	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/verify"
	"github.com/sijil-municipality/sijil/web"
)

var now = time.Now().UTC().Truncate(time.Second)

const facts = `{"holder_name": "سلمى يوسف", "holder_id": "123456782", "parcel": "7",
 "plot": "3", "neighbourhood": "الشجاعية", "street": "شارع النصر", "zoning_status": "سكني",
 "as_of": "2023-10-01", "floors": [{"level": "الأرضي", "area_m2": 95, "use": "سكني"}],
 "records": ["rec_a"]}`

// fixture is a server in front of a real certificate office.
type fixture struct {
	srv     *httptest.Server
	handler http.Handler
	office  *certstest.Office
}

func newFixture(t *testing.T) fixture { return newFixtureTB(t) }

func newFixtureTB(t testing.TB) fixture {
	t.Helper()
	o := certstest.New(t, now, certstest.Records{"rec_a": strings.Repeat("cd", 32)})
	keySetDoc, err := o.Keyring.SignKeySet(o.KeySet())
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{
		Verifier: o.Verifier(),
		Registry: o.Registry(),
		Codes:    o.Issuer.Store,
		Log:      o.Log,
		KeySet:   keySetDoc,
		Revocations: func(ctx context.Context) ([]byte, error) {
			return o.Issuer.SignedRevocationList(ctx, o.Keyring)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fixture{srv: srv, handler: h, office: o}
}

func mustRequest(t testing.TB) certs.BuildingRequest {
	t.Helper()
	req, err := certs.ParseBuildingRequest([]byte(facts))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func (f fixture) issue(t *testing.T) certs.Issued { return f.issueTB(t) }

func (f fixture) issueTB(t testing.TB) certs.Issued {
	t.Helper()
	req := mustRequest(t)
	issued, err := f.office.Issuer.IssueBuilding(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return issued
}

func (f fixture) get(t *testing.T, path, accept string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Accept", accept)
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// verdict fetches the JSON verdict on a token.
func (f fixture) verdict(t *testing.T, token string) verify.Result {
	t.Helper()
	_, body := f.get(t, "/V/"+token, "application/json")
	var res verify.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatalf("verdict: %v\n%s", err, body)
	}
	return res
}

func TestVerifyPage(t *testing.T) {
	f := newFixture(t)
	c := f.issue(t)
	code := verify.CheckCode(mustID(t, c.ID))
	wrongCode := code[:13] + string("AB"[btoi(code[13] == 'A')])
	otherCode := verify.CheckCode([]byte("0123456789"))

	tests := []struct {
		name    string
		path    string
		accept  string
		status  int
		want    []string
		notWant []string
	}{
		{"genuine, as a page", "/V/" + c.Token, "text/html", 200,
			[]string{`dir="rtl"`, "سلمى يوسف", "••••••782", "الشجاعية", "115"},
			[]string{"123456782"}},
		{"genuine, as JSON", "/V/" + c.Token, "application/json", 200,
			[]string{`"status": "valid"`, `"content_checked": true`, `"included": true`},
			[]string{"123456782"}},
		{"API", "/api/v1/verify/" + c.Token, "", 200, []string{`"status": "valid"`}, nil},
		{"tampered, as a page", "/V/" + replaceAt(c.Token, 30), "text/html", 200,
			[]string{"لا يمكن التحقق", "Not valid"}, []string{"سلمى"}},
		{"tampered, as JSON", "/V/" + replaceAt(c.Token, 30), "application/json", 200,
			[]string{`"status": "invalid"`, `"reason"`}, []string{"certificate_id"}},
		{"hostile token", "/V/" + url.PathEscape("<script>alert(1)</script>"), "text/html",
			200, []string{"لا يمكن التحقق"}, []string{"<script>"}},
		{"home names the hotline", "/", "text/html", 200, []string{"115", `lang="ar"`}, nil},
		{"unknown page", "/nope", "text/html", 404, []string{"115", `dir="rtl"`}, nil},
		{"pasted link", "/verify?code=" + url.QueryEscape(c.URL), "text/html", 200,
			[]string{"سلمى يوسف"}, nil},
		{"typed certificate number", "/verify?code=" + url.QueryEscape(
			strings.ToLower(c.ID)), "text/html", 200, []string{"سلمى يوسف"}, nil},
		{"typed check code", "/verify?code=" + url.QueryEscape(code), "text/html", 200,
			[]string{"سلمى يوسف"}, nil},
		{"mistyped check code", "/verify?code=" + url.QueryEscape(wrongCode), "text/html",
			400, []string{"أُخطئ في كتابة حرف", "mistyped", `value="` + wrongCode + `"`,
				`aria-invalid="true"`, `aria-describedby="code-error"`}, []string{"سلمى"}},
		{"check code one character short", "/verify?code=" + url.QueryEscape(code[:13]),
			"text/html", 400, []string{"حرف ناقص أو زائد", "missing or extra",
				`value="` + code[:13] + `"`}, []string{"سلمى"}},
		{"check code of no certificate", "/verify?code=" + url.QueryEscape(otherCode),
			"text/html", 404, []string{"لا توجد إفادة بهذا الرقم", "No certificate has",
				`value="` + otherCode + `"`}, []string{"سلمى"}},
		{"log entry counted from 1", "/V/" + c.Token, "text/html", 200,
			[]string{"القيد رقم <bdi>1</bdi> من <bdi>1</bdi>", "entry 1 of 1"}, nil},
		{"damaged link offers the check code", "/V/" + c.Token[:len(c.Token)/2],
			"text/html", 200, []string{"لا يمكن التحقق", "type the check code printed",
				`name="code"`}, []string{"سلمى"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.get(t, tt.path, tt.accept)
			if status != tt.status {
				t.Fatalf("status %d, want %d\n%s", status, tt.status, body)
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

func mustID(t *testing.T, printed string) []byte {
	t.Helper()
	id, err := verify.ParseID(printed)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// replaceAt changes the character at i to another base32 letter.
func replaceAt(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
