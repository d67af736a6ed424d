package issuancelog_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/verify"
)

// TestPostgres runs the log's tests again on PostgreSQL, the production
// database, where appenders race for the head row in earnest: newTestLog
// gives every test under this one a fresh PostgreSQL database.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t, TestEmptyLogRoot, TestProofsVerify, TestForgedLeafFailsInclusion,
		TestCheckpointForgeriesFail, TestRolledBackAppendLeavesLogUnchanged,
		TestConcurrentAppendsGetConsecutiveIndexes, TestConcurrentAppendsProveEveryLeaf,
		TestAppendRefuses, TestLookups)
}

// TestConcurrentAppendsProveEveryLeaf appends from many writers while a
// reader takes checkpoints, as verify nodes do during issuance: every
// checkpoint seen must be a prefix of the final log, and every leaf must
// prove its inclusion in it.
func TestConcurrentAppendsProveEveryLeaf(t *testing.T) {
	const writers, each = 6, 8
	ctx := context.Background()
	l := newTestLog(t, t.TempDir())

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		byIndex = map[uint64][]byte{}
		seen    []verify.Checkpoint
		done    = make(chan struct{})
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				e := entry(t, 1000+w*each+i)
				index, err := l.appendInTx(ctx, e)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				mu.Lock()
				byIndex[index] = e
				mu.Unlock()
			}
		})
	}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-done:
				return
			default:
			}
			signed, err := l.log.Checkpoint(ctx)
			if err != nil {
				t.Errorf("checkpoint during appends: %v", err)
				return
			}
			c, err := verify.ParseCheckpoint(signed, l.verifierKey)
			if err != nil {
				t.Errorf("checkpoint during appends: %v", err)
				return
			}
			if len(seen) == 0 || seen[len(seen)-1].Size != c.Size {
				seen = append(seen, c)
			}
		}
	}()
	wg.Wait()
	close(done)
	<-readerDone
	if t.Failed() {
		return
	}

	final := l.checkpoint(t)
	if final.Size != writers*each || len(byIndex) != writers*each {
		t.Fatalf("log of %d leaves, %d distinct indexes; want %d", final.Size,
			len(byIndex), writers*each)
	}
	for index, leaf := range byIndex {
		checkInclusion(t, l, leaf, index, final.Size, final.Root)
	}
	// How many sizes the reader saw depends on timing; each is checked.
	for _, c := range seen {
		checkConsistency(t, l, c.Size, final.Size, c.Root, final.Root)
		// A checkpoint's root must be the tree of the leaves then at its
		// indexes: a reader never sees a half-written append.
		prefix := make([][]byte, c.Size)
		for i := range prefix {
			prefix[i] = byIndex[uint64(i)]
		}
		if !bytes.Equal(c.Root, referenceRoot(prefix)) {
			t.Errorf("checkpoint of size %d has root %x, want %x", c.Size, c.Root,
				referenceRoot(prefix))
		}
	}
}
