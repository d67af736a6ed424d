package verify_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/sijil-municipality/sijil/verify"
)

func logEntry() verify.LogEntry {
	digest := sha256.Sum256([]byte("content"))
	return verify.LogEntry{Op: verify.OpIssue, CertRef: "AAAA-BBBB-CCCC-DDDD",
		Digest: digest[:], KeyID: "0a1b2c3d", Time: 1_790_000_000}
}

func TestLogEntryRoundTrip(t *testing.T) {
	for _, e := range []verify.LogEntry{
		logEntry(),
		func() verify.LogEntry {
			e := logEntry()
			e.Op, e.Replaces = verify.OpSupersede, "EEEE-FFFF-GGGG-HHHH"
			return e
		}(),
	} {
		data, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := verify.DecodeLogEntry(data)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(e) {
			t.Errorf("round trip = %+v, want %+v", got, e)
		}
	}
}

func TestLogEntryRefused(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*verify.LogEntry)
	}{
		{"unknown op", func(e *verify.LogEntry) { e.Op = "delete" }},
		{"no certificate id", func(e *verify.LogEntry) { e.CertRef = "" }},
		{"no key id", func(e *verify.LogEntry) { e.KeyID = "" }},
		{"short digest", func(e *verify.LogEntry) { e.Digest = e.Digest[:16] }},
		{"no time", func(e *verify.LogEntry) { e.Time = 0 }},
		{"issue replaces", func(e *verify.LogEntry) { e.Replaces = "EEEE" }},
		{"supersede replaces nothing", func(e *verify.LogEntry) { e.Op = verify.OpSupersede }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := logEntry()
			tt.mutate(&e)

			if _, err := e.Encode(); !errors.Is(err, verify.ErrLogEntry) {
				t.Errorf("Encode = %v, want ErrLogEntry", err)
			}
		})
	}
}

func TestDecodeLogEntryRefusesNonCanonical(t *testing.T) {
	data, err := logEntry().Encode()
	if err != nil {
		t.Fatal(err)
	}

	for name, bad := range map[string][]byte{
		"trailing byte": append(bytes.Clone(data), 0),
		"text":          []byte("Ahmad, national ID 123456782"),
		"empty":         nil,
	} {
		if _, err := verify.DecodeLogEntry(bad); !errors.Is(err, verify.ErrLogEntry) {
			t.Errorf("%s: DecodeLogEntry = %v, want ErrLogEntry", name, err)
		}
	}
}

func TestLeafHashIsRFC6962(t *testing.T) {
	want := sha256.Sum256([]byte("\x00leaf"))

	if got := verify.LeafHash([]byte("leaf")); !bytes.Equal(got, want[:]) {
		t.Errorf("LeafHash = %x, want %x", got, want)
	}
}

const logOrigin = "sijil.example.gov/issuancelog"

// signNote signs text with a new key named name and returns the note with
// the key's verifier key.
func signNote(t *testing.T, name, text string) (signed []byte, verifierKey string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err = note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed, vkey
}

func TestParseCheckpoint(t *testing.T) {
	root := sha256.Sum256([]byte("root"))
	want := verify.Checkpoint{Origin: logOrigin, Size: 42, Root: root[:]}
	signed, vkey := signNote(t, logOrigin, want.Text()+"extension line\n")

	got, err := verify.ParseCheckpoint(signed, vkey)
	if err != nil {
		t.Fatal(err)
	}

	if got.Origin != want.Origin || got.Size != want.Size || !bytes.Equal(got.Root, want.Root) {
		t.Errorf("ParseCheckpoint = %+v, want %+v", got, want)
	}
	if _, otherKey := signNote(t, logOrigin, want.Text()); otherKey == vkey {
		t.Fatal("two keys alike")
	} else if _, err := verify.ParseCheckpoint(signed, otherKey); err == nil {
		t.Error("a checkpoint passed with another key of the same name")
	}
}

func TestParseCheckpointRefusesBadText(t *testing.T) {
	root := "7x7Ez4CqZmzxJUIZiDP3xEzCtRbBKx5wGMUcKkgj8ik="
	tests := map[string]string{
		"another origin":    "other.example/log\n42\n" + root + "\n",
		"size leading zero": logOrigin + "\n042\n" + root + "\n",
		"negative size":     logOrigin + "\n-1\n" + root + "\n",
		"short root":        logOrigin + "\n42\nAAAA\n",
		"root not base64":   logOrigin + "\n42\n" + root[1:] + "\n",
		"no root line":      logOrigin + "\n42\n",
		"empty origin":      "\n42\n" + root + "\n",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			signed, vkey := signNote(t, logOrigin, text)

			_, err := verify.ParseCheckpoint(signed, vkey)
			if !errors.Is(err, verify.ErrCheckpoint) {
				t.Errorf("ParseCheckpoint(%q) = %v, want ErrCheckpoint", text, err)
			}
		})
	}
}

// refTree computes RFC 6962 section 2.1 hashes and proofs straight from the
// definitions, over leaf data, independently of the merkle module.
type refTree [][]byte

func (d refTree) split() int {
	k := 1 // the largest power of two smaller than len(d)
	for 2*k < len(d) {
		k *= 2
	}
	return k
}

func (d refTree) hash() []byte {
	if len(d) == 1 {
		return verify.LeafHash(d[0])
	}
	k := d.split()
	sum := sha256.Sum256(bytes.Join([][]byte{{1}, d[:k].hash(), d[k:].hash()}, nil))
	return sum[:]
}

// path is PATH(m, D[n]), the inclusion proof of leaf m.
func (d refTree) path(m int) [][]byte {
	if len(d) == 1 {
		return nil
	}
	k := d.split()
	if m < k {
		return append(d[:k].path(m), d[k:].hash())
	}
	return append(d[k:].path(m-k), d[:k].hash())
}

// subproof is SUBPROOF(m, D[n], b); PROOF(m, D[n]) is subproof(m, true).
func (d refTree) subproof(m int, b bool) [][]byte {
	if m == len(d) {
		if b {
			return nil
		}
		return [][]byte{d.hash()}
	}
	k := d.split()
	if m <= k {
		return append(d[:k].subproof(m, b), d[k:].hash())
	}
	return append(d[k:].subproof(m-k, false), d[:k].hash())
}

func TestVerifyProofsAgainstRFC6962(t *testing.T) {
	var d refTree
	for i := range 20 {
		d = append(d, fmt.Appendf(nil, "leaf %d", i))
	}
	other := refTree{[]byte("another log")}.hash()

	for n := 1; n <= len(d); n++ {
		tree, size := d[:n], uint64(n)
		for m := range n {
			leaf := verify.LeafHash(tree[m])
			if err := verify.VerifyInclusion(leaf, uint64(m), size, tree.path(m),
				tree.hash()); err != nil {
				t.Errorf("leaf %d in %d: %v", m, n, err)
			}
			if err := verify.VerifyInclusion(leaf, uint64(m), size, tree.path(m),
				other); !errors.Is(err, verify.ErrProof) {
				t.Errorf("leaf %d in %d, another root: %v, want ErrProof", m, n, err)
			}
		}
		for m := 1; m < n; m++ {
			proof := tree.subproof(m, true)
			if err := verify.VerifyConsistency(uint64(m), size, proof, d[:m].hash(),
				tree.hash()); err != nil {
				t.Errorf("size %d with %d: %v", m, n, err)
			}
			proof[0] = verify.LeafHash([]byte("forged"))
			if err := verify.VerifyConsistency(uint64(m), size, proof, d[:m].hash(),
				tree.hash()); !errors.Is(err, verify.ErrProof) {
				t.Errorf("size %d with %d, forged proof: %v, want ErrProof", m, n, err)
			}
		}
	}
}
