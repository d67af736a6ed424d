package issuancelog_test

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

func TestRolledBackAppendLeavesLogUnchanged(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, t.TempDir())
	var leaves [][]byte
	for i := range 5 {
		leaves = append(leaves, entry(t, i))
		l.appendCommitted(t, leaves[i])
	}
	before, err := l.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}

	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	lost := entry(t, 100)
	if _, err := l.log.AppendTx(ctx, tx, lost); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}

	after, err := l.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("checkpoint changed by a rollback:\n%s\nthen\n%s", before, after)
	}
	if _, err := l.log.IndexOf(ctx, verify.LeafHash(lost)); sijil.KindOf(err) != sijil.NotFound {
		t.Errorf("IndexOf(rolled back leaf) = %v, want kind NotFound", err)
	}
	if _, err := l.log.Leaf(ctx, 5); sijil.KindOf(err) != sijil.NotFound {
		t.Errorf("Leaf(5) = %v, want kind NotFound", err)
	}

	// A node left behind would make this append clash or the root wrong.
	leaves = append(leaves, entry(t, 5))
	if index := l.appendCommitted(t, leaves[5]); index != 5 {
		t.Errorf("next append got index %d, want 5", index)
	}
	if c := l.checkpoint(t); !bytes.Equal(c.Root, referenceRoot(leaves)) {
		t.Errorf("root after rollback and append = %x, want %x", c.Root, referenceRoot(leaves))
	}
}

func TestConcurrentAppendsGetConsecutiveIndexes(t *testing.T) {
	const writers, each = 8, 10
	ctx := context.Background()
	l := newTestLog(t, t.TempDir())

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		byIndex = map[uint64][]byte{}
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				e := entry(t, w*each+i)
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
	wg.Wait()

	indexes := slices.Sorted(func(yield func(uint64) bool) {
		for i := range byIndex {
			if !yield(i) {
				return
			}
		}
	})
	leaves := make([][]byte, len(indexes))
	for i, index := range indexes {
		if index != uint64(i) {
			t.Fatalf("indexes = %v, want 0 to %d", indexes, writers*each-1)
		}
		leaves[i] = byIndex[index]
		stored, err := l.log.Leaf(ctx, index)
		if err != nil || !bytes.Equal(stored, leaves[i]) {
			t.Errorf("Leaf(%d) = %x, %v; want what was appended there", index, stored, err)
		}
	}
	if len(leaves) != writers*each {
		t.Fatalf("%d distinct indexes, want %d", len(leaves), writers*each)
	}
	if c := l.checkpoint(t); !bytes.Equal(c.Root, referenceRoot(leaves)) {
		t.Errorf("root = %x, want %x", c.Root, referenceRoot(leaves))
	}
}

func TestAppendRefuses(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, t.TempDir())
	l.appendCommitted(t, entry(t, 0))
	notCanonical := append(entry(t, 1), 0)
	tests := []struct {
		name  string
		entry []byte
		want  sijil.Kind
	}{
		{"entry already logged", entry(t, 0), sijil.Conflict},
		{"empty", nil, sijil.Invalid},
		{"trailing byte", notCanonical, sijil.Invalid},
		{"not CBOR", []byte("Ahmad, national ID 123456782"), sijil.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := l.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()

			_, err = l.log.AppendTx(ctx, tx, tt.entry)
			if sijil.KindOf(err) != tt.want {
				t.Errorf("AppendTx = %v, want kind %v", err, tt.want)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	ctx := context.Background()
	l := newTestLog(t, t.TempDir())
	for i := range 3 {
		l.appendCommitted(t, entry(t, i))
	}

	index, err := l.log.IndexOf(ctx, verify.LeafHash(entry(t, 2)))
	if err != nil || index != 2 {
		t.Errorf("IndexOf(leaf 2) = %d, %v", index, err)
	}
	leaf, err := l.log.Leaf(ctx, 1)
	if err != nil || !bytes.Equal(leaf, entry(t, 1)) {
		t.Errorf("Leaf(1) = %x, %v", leaf, err)
	}
	for _, tt := range []struct {
		call string
		err  error
		want sijil.Kind
	}{
		{"Leaf(3)", second(l.log.Leaf(ctx, 3)), sijil.NotFound},
		{"Leaf(max)", second(l.log.Leaf(ctx, 1<<64-1)), sijil.NotFound},
		{"IndexOf(unknown)", second(l.log.IndexOf(ctx, verify.LeafHash(entry(t, 3)))),
			sijil.NotFound},
		{"IndexOf(not a hash)", second(l.log.IndexOf(ctx, []byte("x"))), sijil.NotFound},
		{"Inclusion(3, 4)", second(l.log.Inclusion(ctx, 3, 4)), sijil.Invalid},
		{"Inclusion(3, 3)", second(l.log.Inclusion(ctx, 3, 3)), sijil.Invalid},
		{"Inclusion(0, max)", second(l.log.Inclusion(ctx, 0, 1<<64-1)), sijil.Invalid},
		{"Inclusion(max, 3)", second(l.log.Inclusion(ctx, 1<<64-1, 3)), sijil.Invalid},
		{"Consistency(1, 4)", second(l.log.Consistency(ctx, 1, 4)), sijil.Invalid},
		{"Consistency(3, 2)", second(l.log.Consistency(ctx, 3, 2)), sijil.Invalid},
	} {
		if kind := sijil.KindOf(tt.err); kind != tt.want {
			t.Errorf("%s = %v (kind %v), want kind %v", tt.call, tt.err, kind, tt.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
