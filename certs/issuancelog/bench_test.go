package issuancelog_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/verify"
)

// benchLeaves is the log size the benchmarks run at: years of issuance.
const benchLeaves = 100_000

// The benchmark log is filled once per process, since filling it takes
// longer than the benchmarks themselves, and removed by TestMain.
var (
	benchOnce sync.Once
	bench     testLog
	benchDir  string
	benchErr  error

	// benchSeq numbers appended entries after the fill, so that no run of
	// BenchmarkAppendTx repeats an entry of an earlier one.
	benchSeq atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	if bench.db != nil {
		bench.db.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchLog(b *testing.B) testLog {
	b.Helper()
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "issuancelog-bench"); benchErr != nil {
			return
		}
		if bench, benchErr = openTestLog(benchDir); benchErr != nil {
			return
		}
		benchErr = fill(context.Background(), b, bench, benchLeaves)
		benchSeq.Store(benchLeaves)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

// fill appends n entries, a thousand to a transaction to keep it quick.
func fill(ctx context.Context, b *testing.B, l testLog, n int) error {
	for start := 0; start < n; start += 1000 {
		tx, err := l.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i := start; i < min(start+1000, n); i++ {
			if _, err := l.log.AppendTx(ctx, tx, entry(b, i)); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkAppendTx appends one leaf in a transaction of its own and
// commits it, as one certificate issuance does.
func BenchmarkAppendTx(b *testing.B) {
	l := benchLog(b)
	entries := make([][]byte, b.N)
	for i := range entries {
		entries[i] = entry(b, int(benchSeq.Add(1)))
	}

	b.ResetTimer()
	for i := range b.N {
		l.appendCommitted(b, entries[i])
	}
}

// BenchmarkInclusion proves a leaf in the latest tree, as the verify page
// does, and checks the proof.
func BenchmarkInclusion(b *testing.B) {
	ctx := context.Background()
	l := benchLog(b)
	c := l.checkpoint(b)
	leaf := verify.LeafHash(entry(b, 31_337))

	b.ResetTimer()
	for range b.N {
		proof, err := l.log.Inclusion(ctx, 31_337, c.Size)
		if err != nil {
			b.Fatal(err)
		}
		if err := verify.VerifyInclusion(leaf, 31_337, c.Size, proof, c.Root); err != nil {
			b.Fatal(err)
		}
	}
}
