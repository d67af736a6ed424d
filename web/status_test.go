package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/verify"
)

func TestRevokedAndSupersededCertificates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	revoked := f.issue(t)
	if err := f.office.Issuer.Revoke(ctx, revoked.ID, verify.ReasonCourtOrder,
		"case 12/2026"); err != nil {
		t.Fatal(err)
	}
	old := f.issue(t)
	req := mustRequest(t)
	replacement, err := f.office.Issuer.SupersedeBuilding(ctx, old.ID, req)
	if err != nil {
		t.Fatal(err)
	}

	res := f.verdict(t, revoked.Token)
	if res.Status != verify.StatusRevoked || res.Current || !res.Intact ||
		res.Revocation.Reason != verify.ReasonCourtOrder {
		t.Errorf("revoked certificate: %+v", res)
	}
	res = f.verdict(t, old.Token)
	if res.Status != verify.StatusSuperseded || res.Revocation.ReplacedBy != replacement.ID {
		t.Errorf("superseded certificate: %+v", res)
	}
	if res := f.verdict(t, replacement.Token); res.Status != verify.StatusValid {
		t.Errorf("replacement certificate: %+v", res)
	}
	_, page := f.get(t, "/V/"+old.Token, "text/html")
	if !strings.Contains(page, "استُبدلت") || !strings.Contains(page, replacement.ID) {
		t.Errorf("the superseded page must say so and name the replacement:\n%s", page)
	}

	// The internal note never leaves the office.
	_, list := f.get(t, "/.well-known/sijil-revocations.json", "")
	rl, err := verify.ReadRevocationList([]byte(list), f.office.KeySet())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rl.Lookup(revoked.ID); !ok || strings.Contains(list, "12/2026") {
		t.Errorf("signed revocation list: has revoked=%v, leaks note=%v", ok,
			strings.Contains(list, "12/2026"))
	}
	offline := &verify.Verifier{Keys: f.office.KeySet(), Revocations: rl}
	if res := offline.Check(revoked.Token, nil); res.Status != verify.StatusRevoked {
		t.Errorf("offline check with the revocation list: %+v", res)
	}
	if err := f.office.Issuer.Revoke(ctx, revoked.ID, verify.ReasonFraud, ""); err == nil {
		t.Error("a certificate was revoked twice")
	}
}

func TestCertificatesOutsideTheLogAreNotGenuine(t *testing.T) {
	f := newFixture(t)
	c := f.issue(t)

	// A token the key signed without issuing: nothing in the log.
	d, err := verify.DecodeToken(c.Token)
	if err != nil {
		t.Fatal(err)
	}
	claims := d.Claims
	claims.ID = []byte("silent0001")
	silent, err := f.office.Issuer.Signer.SignClaims(claims)
	if err != nil {
		t.Fatal(err)
	}
	if res := f.verdict(t, silent); res.Status != verify.StatusInvalid ||
		res.ReasonKey != "verify.not_logged" {
		t.Errorf("silently signed token: %+v", res)
	}

	// A forged log entry: the leaf no longer records this issuance.
	_, err = f.office.DB.Exec(`UPDATE issuancelog_leaves SET leaf = $1 WHERE leaf_index = 0`,
		"oWVpc3N1ZQ==")
	if err != nil {
		t.Fatal(err)
	}
	if res := f.verdict(t, c.Token); res.Status != verify.StatusInvalid ||
		res.ReasonKey != "verify.not_logged" {
		t.Errorf("certificate whose log entry was forged: %+v", res)
	}
}

func TestPublicLogProvesInclusion(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		f.issue(t)
	}
	_, cpText := f.get(t, "/log/checkpoint", "")
	cp, err := verify.ParseCheckpoint([]byte(cpText), f.office.LogKey)
	if err != nil || cp.Size != 3 {
		t.Fatalf("checkpoint %+v, %v", cp, err)
	}
	var leaf struct{ Leaf []byte }
	_, body := f.get(t, "/log/leaf/1", "")
	if err := json.Unmarshal([]byte(body), &leaf); err != nil {
		t.Fatal(err)
	}
	var proof struct{ Hashes [][]byte }
	_, body = f.get(t, "/log/proof/inclusion?index=1&size=3", "")
	if err := json.Unmarshal([]byte(body), &proof); err != nil {
		t.Fatal(err)
	}
	if err := verify.VerifyInclusion(verify.LeafHash(leaf.Leaf), 1, 3, proof.Hashes,
		cp.Root); err != nil {
		t.Error(err)
	}
	if status, _ := f.get(t, "/log/proof/inclusion?index=9&size=3", ""); status != 400 {
		t.Errorf("a proof for a leaf past the tree: status %d, want 400", status)
	}
}

func TestDroppedPDF(t *testing.T) {
	f := newFixture(t)
	c := f.issue(t)
	forged := bytes.Replace(c.PDF, []byte("stream"), []byte("streaM"), 1)

	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"genuine", c.PDF, "سلمى يوسف"},
		{"changed after signing", forged, "لا يمكن التحقق"},
		{"not a PDF", []byte("hello"), "لا يمكن التحقق"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			part, _ := mw.CreateFormFile("pdf", "certificate.pdf")
			part.Write(tt.file)
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/verify/pdf", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			status, page := do(t, req)
			if status != 200 || !strings.Contains(page, tt.want) {
				t.Errorf("status %d, page lacks %q:\n%s", status, tt.want, page)
			}
		})
	}
}

func TestUnreadableRecordsAreNeverShownAsValid(t *testing.T) {
	f := newFixture(t)
	c := f.issue(t)
	if err := f.office.Issuer.Revoke(context.Background(), c.ID, verify.ReasonFraud,
		""); err != nil {
		t.Fatal(err)
	}
	// The row points at a log entry that is not there: the office's
	// records are inconsistent, so nothing about the status can be said.
	if _, err := f.office.DB.Exec(`UPDATE certificates SET log_index = 999 WHERE id = $1`,
		c.ID); err != nil {
		t.Fatal(err)
	}
	res := f.verdict(t, c.Token)
	if res.Status != verify.StatusUnknown || res.Current {
		t.Fatalf("want unknown and not current, got %+v", res)
	}
	_, page := f.get(t, "/V/"+c.Token, "text/html")
	if strings.Contains(page, "سارية وصادرة") || !strings.Contains(page, "تعذّر التحقق") {
		t.Errorf("the page must not call the certificate current:\n%s", page)
	}
}

// TestRevocationsComeFromTheLog pins the security review's finding that
// staff could revoke or un-revoke silently by editing the revocations table.
func TestRevocationsComeFromTheLog(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	revoked := f.issue(t)
	if err := f.office.Issuer.Revoke(ctx, revoked.ID, verify.ReasonFraud, ""); err != nil {
		t.Fatal(err)
	}
	current := f.issue(t)

	// Un-revoke by deleting the row: the log still says revoked.
	if _, err := f.office.DB.Exec(`DELETE FROM revocations WHERE cert_id = $1`,
		revoked.ID); err != nil {
		t.Fatal(err)
	}
	if res := f.verdict(t, revoked.Token); res.Status != verify.StatusRevoked {
		t.Errorf("revocation row deleted behind the log's back: %+v", res)
	}

	// Revoke by inserting a row: nothing in the log, so it stays current.
	if _, err := f.office.DB.Exec(`INSERT INTO revocations (cert_id, status, at, reason,
		replaced_by, note, log_index) VALUES ($1, 'revoked', 1, 'fraud', NULL, '', 12345)`,
		current.ID); err != nil {
		t.Fatal(err)
	}
	if res := f.verdict(t, current.Token); res.Status != verify.StatusValid {
		t.Errorf("revocation row inserted without a log entry: %+v", res)
	}
}
