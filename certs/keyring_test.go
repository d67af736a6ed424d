package certs_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/verify"
)

// signAt makes a token signed by s that claims issue time at.
func signAt(t *testing.T, s *certs.Signer, at time.Time) string {
	t.Helper()
	token, err := s.SignClaims(verify.Claims{Kind: verify.KindBuilding,
		Schema: verify.SchemaVersion, ID: []byte("0123456789"), IssuedAt: at.Unix(),
		Digest: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestKeyRotationKeepsOldCertificatesValid(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	kr, created, err := certs.OpenKeyring(dir, t0)
	if err != nil || !created {
		t.Fatalf("first open: created=%v err=%v", created, err)
	}
	first, _ := kr.Current()
	oldToken := signAt(t, first, t0.Add(time.Hour))
	trustedBefore := kr.KeySet("test")

	second, err := kr.Rotate(t0.Add(24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.SignClaims(verify.Claims{}); sijil.KindOf(err) != sijil.Conflict {
		t.Errorf("a retired key still signs: %v", err)
	}

	// A verifier holding only the old key set accepts the new one, since
	// the old key signed it too.
	doc, err := kr.SignKeySet(kr.KeySet("test"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := verify.ReadSignedKeySet(doc, trustedBefore)
	if err != nil {
		t.Fatalf("the new key set is not signed by the old key: %v", err)
	}
	v := &verify.Verifier{Keys: ks}
	if res := v.Check(oldToken, nil); res.Status != verify.StatusValid {
		t.Errorf("certificate signed before the rotation: %+v", res)
	}
	newToken := signAt(t, second, t0.Add(25*time.Hour))
	if res := v.Check(newToken, nil); res.Status != verify.StatusValid {
		t.Errorf("certificate signed by the new key: %+v", res)
	}

	// The statuses are on disk, not only in memory.
	again, created, err := certs.OpenKeyring(dir, t0)
	if err != nil || created {
		t.Fatalf("reopen: created=%v err=%v", created, err)
	}
	cur, _ := again.Current()
	if cur.KeyID() != second.KeyID() || len(again.Keys()) != 2 {
		t.Errorf("after reopening, current key %s of %d, want %s of 2", cur.KeyID(),
			len(again.Keys()), second.KeyID())
	}
	for _, s := range again.Keys() {
		info, err := os.Stat(filepath.Join(dir, s.KeyID()+".pem"))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("key file %s: %v %v, want mode 0600", s.KeyID(), info.Mode(), err)
		}
	}
}

func TestCompromisedKeyVoidsLaterCertificates(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	kr, _, err := certs.OpenKeyring(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := kr.Current()
	before := signAt(t, s, t0.Add(time.Hour))
	after := signAt(t, s, t0.Add(72*time.Hour))

	if err := kr.Compromise(s.KeyID(), t0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	v := &verify.Verifier{Keys: kr.KeySet("test")}
	if res := v.Check(before, nil); res.Status != verify.StatusValid {
		t.Errorf("signed before the compromise: %+v", res)
	}
	if res := v.Check(after, nil); res.ReasonKey != "verify.key_compromised" {
		t.Errorf("signed after the compromise: %+v", res)
	}

	// Only a compromised key is left: nothing it signs may be published.
	if _, err := kr.SignKeySet(kr.KeySet("test")); sijil.KindOf(err) != sijil.Conflict {
		t.Errorf("signing a key set with only a compromised key: %v", err)
	}
}
