package issuancelog_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs/issuancelog"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/verify"
)

const origin = "sijil.example.gov/issuancelog"

// testLog is a log in a fresh database, with the key to check it.
type testLog struct {
	db          *sql.DB
	log         *issuancelog.Log
	verifierKey string
}

// newTestLog makes a log in PostgreSQL under TestPostgres, else in a
// SQLite file in dir; its key is kept in dir.
func newTestLog(tb testing.TB, dir string) testLog {
	tb.Helper()
	var (
		l   testLog
		err error
	)
	if pgtest.Requested(tb) {
		l, err = openLogOn(pgtest.Open(tb), sijil.DialectPostgres, dir)
	} else {
		l, err = openTestLog(dir)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.db.Close() })
	return l
}

// openTestLog makes a log in a SQLite file in dir.
func openTestLog(dir string) (testLog, error) {
	// As cmd/sijil opens it: WAL, and writers wait for each other.
	dsn := "file:" + filepath.Join(dir, "sijil.db") +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return testLog{}, err
	}
	return openLogOn(db, sijil.DialectSQLite, dir)
}

// openLogOn migrates db and opens the log in it; db is closed on failure.
func openLogOn(db *sql.DB, dialect, dir string) (testLog, error) {
	if err := issuancelog.Migrate(context.Background(), db, dialect); err != nil {
		return testLog{}, errors.Join(err, db.Close())
	}

	signer, verifierKey, _, err := issuancelog.LoadOrCreateKey(dir, origin)
	if err != nil {
		return testLog{}, errors.Join(err, db.Close())
	}
	return testLog{db: db, log: issuancelog.New(db, signer, origin), verifierKey: verifierKey},
		nil
}

// entry returns the i-th test entry, encoded; each i gives another leaf.
func entry(tb testing.TB, i int) []byte {
	tb.Helper()
	digest := sha256.Sum256(fmt.Appendf(nil, "content %d", i))
	e := verify.LogEntry{Op: verify.OpIssue, CertRef: fmt.Sprintf("CERT-%06d", i),
		Digest: digest[:], KeyID: "0a1b2c3d", Time: 1_790_000_000 + int64(i)}
	data, err := e.Encode()
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// appendCommitted appends entry in a transaction of its own.
func (l testLog) appendCommitted(tb testing.TB, entry []byte) uint64 {
	tb.Helper()
	index, err := l.appendInTx(context.Background(), entry)
	if err != nil {
		tb.Fatal(err)
	}
	return index
}

// appendInTx appends entry in a transaction of its own and commits it.
func (l testLog) appendInTx(ctx context.Context, entry []byte) (uint64, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	index, err := l.log.AppendTx(ctx, tx, entry)
	if err != nil {
		return 0, errors.Join(err, tx.Rollback())
	}
	return index, tx.Commit()
}

// checkpoint returns the log's latest checkpoint, checked with its key.
func (l testLog) checkpoint(tb testing.TB) verify.Checkpoint {
	tb.Helper()
	signed, err := l.log.Checkpoint(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	c, err := verify.ParseCheckpoint(signed, l.verifierKey)
	if err != nil {
		tb.Fatalf("ParseCheckpoint(%q): %v", signed, err)
	}
	return c
}

// referenceRoot is the Merkle Tree Hash of RFC 6962 section 2.1, computed
// from the definition: independent of the log's node store and of the
// merkle module.
func referenceRoot(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		sum := sha256.Sum256(nil)
		return sum[:]
	case 1:
		sum := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return sum[:]
	default:
		k := 1 // the largest power of two smaller than n
		for k*2 < n {
			k *= 2
		}
		inner := append([]byte{1}, referenceRoot(leaves[:k])...)
		sum := sha256.Sum256(append(inner, referenceRoot(leaves[k:])...))
		return sum[:]
	}
}

func TestEmptyLogRoot(t *testing.T) {
	l := newTestLog(t, t.TempDir())

	c := l.checkpoint(t)

	if c.Size != 0 || !bytes.Equal(c.Root, referenceRoot(nil)) {
		t.Errorf("empty log checkpoint = %d %x, want 0 %x", c.Size, c.Root, referenceRoot(nil))
	}
}

// TestProofsVerify grows a log to 70 leaves, every shape of ragged right
// edge up to 64 and past it, then proves every leaf in every size and
// every size consistent with every larger one.
func TestProofsVerify(t *testing.T) {
	const n = 70
	l := newTestLog(t, t.TempDir())
	var leaves [][]byte
	roots := [][]byte{referenceRoot(nil)}
	for i := range n {
		leaves = append(leaves, entry(t, i))
		if got := l.appendCommitted(t, leaves[i]); got != uint64(i) {
			t.Fatalf("append %d: index %d", i, got)
		}

		c := l.checkpoint(t)
		want := referenceRoot(leaves)
		if c.Size != uint64(i+1) || !bytes.Equal(c.Root, want) {
			t.Fatalf("checkpoint = %d %x, want %d %x", c.Size, c.Root, i+1, want)
		}
		roots = append(roots, c.Root)
	}

	for size := uint64(1); size <= n; size++ {
		for index := range size {
			checkInclusion(t, l, leaves[index], index, size, roots[size])
		}
		for from := uint64(0); from <= size; from++ {
			checkConsistency(t, l, from, size, roots[from], roots[size])
		}
	}
}

func checkInclusion(t *testing.T, l testLog, leaf []byte, index, size uint64, root []byte) {
	t.Helper()
	proof, err := l.log.Inclusion(context.Background(), index, size)
	if err != nil {
		t.Fatalf("Inclusion(%d, %d): %v", index, size, err)
	}
	if err := verify.VerifyInclusion(verify.LeafHash(leaf), index, size, proof, root); err != nil {
		t.Errorf("leaf %d in size %d: %v", index, size, err)
	}
}

func checkConsistency(t *testing.T, l testLog, from, to uint64, root1, root2 []byte) {
	t.Helper()
	proof, err := l.log.Consistency(context.Background(), from, to)
	if err != nil {
		t.Fatalf("Consistency(%d, %d): %v", from, to, err)
	}
	if err := verify.VerifyConsistency(from, to, proof, root1, root2); err != nil {
		t.Errorf("size %d with %d: %v", from, to, err)
	}
}

func TestForgedLeafFailsInclusion(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, t.TempDir())
	for i := range 11 {
		l.appendCommitted(t, entry(t, i))
	}
	c := l.checkpoint(t)
	proof, err := l.log.Inclusion(ctx, 6, c.Size)
	if err != nil {
		t.Fatal(err)
	}

	forged, err := verify.DecodeLogEntry(entry(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	forged.Op, forged.Replaces = verify.OpSupersede, "CERT-000001"
	data, err := forged.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.VerifyInclusion(verify.LeafHash(data), 6, c.Size, proof, c.Root); err == nil {
		t.Error("a changed entry passed the inclusion proof of the original")
	}
	genuine := verify.LeafHash(entry(t, 6))
	if err := verify.VerifyInclusion(genuine, 5, c.Size, proof, c.Root); err == nil {
		t.Error("a leaf passed the inclusion proof at another index")
	}
}

func TestCheckpointForgeriesFail(t *testing.T) {
	l := newTestLog(t, t.TempDir())
	for i := range 11 {
		l.appendCommitted(t, entry(t, i))
	}
	genuine, err := l.log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := l.checkpoint(t)
	text := c.Text()
	otherRoot := verify.Checkpoint{Origin: origin, Size: 11, Root: referenceRoot(nil)}.Text()

	tests := []struct {
		name   string
		signed []byte
	}{
		{"signed by another key", signWithNewKey(t, origin, text)},
		{"size edited", bytes.Replace(genuine, []byte("\n11\n"), []byte("\n12\n"), 1)},
		{"root edited", bytes.Replace(genuine, []byte(text), []byte(otherRoot), 1)},
		{"signature dropped", []byte(text)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bytes.Equal(tt.signed, genuine) {
				t.Fatal("the forgery is the genuine checkpoint")
			}
			if _, err := verify.ParseCheckpoint(tt.signed, l.verifierKey); err == nil {
				t.Errorf("forged checkpoint accepted:\n%s", tt.signed)
			}
		})
	}
}

// signWithNewKey signs text with a fresh key of the given name.
func signWithNewKey(t *testing.T, name, text string) []byte {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}
