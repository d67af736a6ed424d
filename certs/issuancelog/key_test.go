package issuancelog_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/sijil-municipality/sijil/certs/issuancelog"
)

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")

	signer, verifierKey, created, err := issuancelog.LoadOrCreateKey(dir, origin)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateKey: created %v, %v", created, err)
	}
	again, againKey, created, err := issuancelog.LoadOrCreateKey(dir, origin)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateKey: created %v, %v", created, err)
	}

	if againKey != verifierKey || again.KeyHash() != signer.KeyHash() {
		t.Errorf("reloaded key %q differs from created %q", againKey, verifierKey)
	}
	if !strings.HasPrefix(verifierKey, origin+"+") {
		t.Errorf("verifier key %q is not named after the origin", verifierKey)
	}
	info, err := os.Stat(filepath.Join(dir, "issuancelog.key"))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}
	if _, _, _, err := issuancelog.LoadOrCreateKey(dir, "other.example/log"); err == nil {
		t.Error("a key made for another origin was accepted")
	}
}

// TestKeyVerifiesItsNotes pins the derived verifier key to the note
// package's own: a note signed with the loaded key opens with it.
func TestKeyVerifiesItsNotes(t *testing.T) {
	dir := t.TempDir()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "issuancelog.key"), []byte(skey+"\n"),
		0o600); err != nil {
		t.Fatal(err)
	}

	signer, verifierKey, created, err := issuancelog.LoadOrCreateKey(dir, origin)
	if err != nil || created {
		t.Fatalf("LoadOrCreateKey: created %v, %v", created, err)
	}
	if verifierKey != vkey {
		t.Errorf("verifier key = %q, want %q", verifierKey, vkey)
	}
	signed, err := note.Sign(&note.Note{Text: "hello\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(signed, note.VerifierList(verifier)); err != nil {
		t.Errorf("note signed with the loaded key: %v", err)
	}
}

func TestLoadKeyRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	err := os.WriteFile(filepath.Join(dir, "issuancelog.key"), []byte("not a key\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}

	if _, _, _, err := issuancelog.LoadOrCreateKey(dir, origin); err == nil {
		t.Error("a damaged key file was accepted")
	}
}
