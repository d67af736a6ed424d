package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRevocationRotationAndBundleThroughTheBinary walks a certificate's
// life as the office and an offline verifier see it: issued, bundled,
// superseded, the key rotated and later reported compromised.
func TestRevocationRotationAndBundleThroughTheBinary(t *testing.T) {
	requireTools(t)
	data, work := t.TempDir(), t.TempDir()
	scan := filepath.Join(work, "permit.pdf")
	writePermitScan(t, scan)
	recordID := strings.Fields(sijil(t, 0, "ingest", "--data", data, scan))[0]
	publicURL := "https://sijil.example.org"

	issue := func(name string) string {
		t.Helper()
		path := filepath.Join(work, name+".pdf")
		if err := os.Rename(issueBuilding(t, data, work, publicURL, recordID), path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	first := issue("first")
	firstID := strings.TrimSpace(sijil(t, 0, "verify", "--data", data, first))
	if !strings.HasPrefix(firstID, "VALID") || !strings.Contains(firstID, "public log: entry 1 of") {
		t.Fatalf("verify --data of a fresh certificate: %q", firstID)
	}
	bundle := filepath.Join(work, "bundle.json")
	sijil(t, 0, "bundle", "--data", data, "--out", bundle)
	out := sijil(t, 0, "verify", "--bundle", bundle, first)
	if !strings.Contains(out, "trust bundle made") || !strings.Contains(out, "VALID") {
		t.Errorf("verify --bundle: %q", out)
	}

	// Supersede it; the old one stops being current, offline too once the
	// verifier has a newer bundle.
	facts := filepath.Join(work, "facts.json")
	second := filepath.Join(work, "second.pdf")
	oldNumber := certNumber(t, data, first)
	newNumber := strings.TrimSpace(sijil(t, 0, "supersede", "--data", data, "--public-url",
		publicURL, "--from", facts, "--out", second, oldNumber))
	out = sijil(t, 1, "verify", "--data", data, first)
	if !strings.Contains(out, "SUPERSEDED") || !strings.Contains(out, newNumber) {
		t.Errorf("verify of a superseded certificate: %q", out)
	}
	if out := sijil(t, 0, "verify", "--bundle", bundle, first); !strings.Contains(out,
		"VALID") {
		t.Errorf("an old bundle cannot know of the supersession yet: %q", out)
	}
	sijil(t, 0, "bundle", "--data", data, "--out", bundle)
	sijil(t, 1, "verify", "--bundle", bundle, first)

	// Revoke the replacement with a public reason code.
	sijil(t, 1, "revoke", "--data", data, "--reason", "because", newNumber)
	sijil(t, 0, "revoke", "--data", data, "--reason", "court_order", "--note", "x", newNumber)
	if out := sijil(t, 1, "verify", "--data", data, second); !strings.Contains(out,
		"REVOKED") {
		t.Errorf("verify of a revoked certificate: %q", out)
	}

	// Rotate the key: what the old key signed still verifies.
	third := issue("third")
	sijil(t, 0, "keys", "rotate", "--data", data)
	keys := filepath.Join(work, "keys.json")
	writeFile(t, keys, sijil(t, 0, "keys", "export", "--data", data))
	sijil(t, 0, "verify", "--keys", keys, third)
	fourth := issue("fourth")
	sijil(t, 0, "verify", "--keys", keys, fourth)

	// The new key is reported compromised from an hour ago: the fourth
	// certificate, signed after that, is void; the third, older key's, stands.
	newKey := currentKey(t, data)
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	sijil(t, 0, "keys", "compromise", "--data", data, "--since", since, newKey)
	sijil(t, 0, "keys", "rotate", "--data", data)
	writeFile(t, keys, sijil(t, 0, "keys", "export", "--data", data))
	if out := sijil(t, 1, "verify", "--keys", keys, fourth); !strings.Contains(out,
		"compromised") {
		t.Errorf("certificate signed by a compromised key: %q", out)
	}
	sijil(t, 0, "verify", "--keys", keys, third)
}

// currentKey reads the id of the key that signs now from `keys list`.
func currentKey(t *testing.T, data string) string {
	t.Helper()
	for _, line := range strings.Split(sijil(t, 0, "keys", "list", "--data", data), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "current" {
			return f[0]
		}
	}
	t.Fatal("keys list shows no current key")
	return ""
}

// certNumber reads a certificate's number from its verification.
func certNumber(t *testing.T, data, pdf string) string {
	t.Helper()
	out := sijil(t, 0, "verify", "--data", data, pdf)
	f := strings.Fields(out)
	for i, w := range f {
		if w == "certificate" && i+1 < len(f) {
			return strings.TrimSuffix(f[i+1], ",")
		}
	}
	t.Fatalf("no certificate number in %q", out)
	return ""
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
