package issuancelog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// Checkpoint returns the latest committed tree as a signed note in the
// C2SP tlog-checkpoint format, for verify.ParseCheckpoint. A tree size is
// signed once and the note reused until the log grows.
func (l *Log) Checkpoint(ctx context.Context) ([]byte, error) {
	if l.signer.Name() != l.origin {
		return nil, fmt.Errorf("log %q: signing key is named %q", l.origin, l.signer.Name())
	}
	size, err := treeSize(ctx, l.db)
	if err != nil {
		return nil, err
	}
	if signed, ok := l.cached(size); ok {
		return signed, nil
	}

	root, err := rootAt(ctx, l.db, size)
	if err != nil {
		return nil, err
	}
	c := verify.Checkpoint{Origin: l.origin, Size: size, Root: root}
	signed, err := note.Sign(&note.Note{Text: c.Text()}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("sign log checkpoint at %d: %w", size, err)
	}

	l.mu.Lock()
	// A slower caller must not replace a newer checkpoint with its older one.
	if l.last.note == nil || size > l.last.size {
		l.last = signedCheckpoint{size: size, note: signed}
	}
	l.mu.Unlock()
	return signed, nil
}

func (l *Log) cached(size uint64) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.note == nil || l.last.size != size {
		return nil, false
	}
	return l.last.note, true
}

// Inclusion returns the proof that the leaf at index is in the tree of the
// given size, for verify.VerifyInclusion. A size beyond the committed tree,
// or an index not below size, is an error of kind Invalid.
func (l *Log) Inclusion(ctx context.Context, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, badRange(index, size)
	}
	if err := l.checkSize(ctx, size); err != nil {
		return nil, err
	}

	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	return l.proofHashes(ctx, nodes)
}

// Consistency returns the proof that the tree of size to extends the tree
// of size from, for verify.VerifyConsistency. A size beyond the committed
// tree, or from above to, is an error of kind Invalid.
func (l *Log) Consistency(ctx context.Context, from, to uint64) ([][]byte, error) {
	if from > to {
		return nil, badRange(from, to)
	}
	if err := l.checkSize(ctx, to); err != nil {
		return nil, err
	}

	nodes, err := proof.Consistency(from, to)
	if err != nil {
		return nil, fmt.Errorf("consistency proof of %d with %d: %w", from, to, err)
	}
	return l.proofHashes(ctx, nodes)
}

// checkSize fails with kind Invalid when the committed tree is smaller
// than size: a proof must never mention leaves that may yet roll back.
func (l *Log) checkSize(ctx context.Context, size uint64) error {
	committed, err := treeSize(ctx, l.db)
	if err != nil {
		return err
	}
	if size > committed {
		return sijil.Errorf(sijil.Invalid, "issuancelog.beyond_size",
			"The issuance log has %d entries, fewer than %d.", committed, size)
	}
	return nil
}

func badRange(a, b uint64) error {
	return sijil.Errorf(sijil.Invalid, "issuancelog.bad_range",
		"The issuance log has no proof from %d to %d.", a, b)
}

// proofHashes fetches the stored nodes a proof is made of and hashes the
// one node that is not stored: the right edge of a tree whose size is not
// a power of two.
func (l *Log) proofHashes(ctx context.Context, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := l.nodes(ctx, nodes.IDs)
	if err != nil {
		return nil, err
	}
	proofHashes, err := nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("rehash log proof: %w", err)
	}
	return proofHashes, nil
}

// Leaf returns the encoded entry at index, or an error of kind NotFound.
func (l *Log) Leaf(ctx context.Context, index uint64) ([]byte, error) {
	notFound := sijil.Errorf(sijil.NotFound, "issuancelog.leaf_not_found",
		"The issuance log has no entry %d.", index)
	if index > math.MaxInt64 {
		return nil, notFound
	}

	var leaf string
	err := l.db.QueryRowContext(ctx, `SELECT leaf FROM issuancelog_leaves
		WHERE leaf_index = $1`, int64(index)).Scan(&leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("read log leaf %d: %w", index, err)
	}
	entry, err := base64.StdEncoding.DecodeString(leaf)
	if err != nil {
		return nil, fmt.Errorf("log leaf %d: stored entry: %w", index, err)
	}
	return entry, nil
}

// IndexOf returns the index of the leaf with the RFC 6962 leaf hash, or an
// error of kind NotFound.
func (l *Log) IndexOf(ctx context.Context, leafHash []byte) (uint64, error) {
	return indexOf(ctx, l.db, leafHash)
}

// Evidence returns what a verifier needs to see that the leaf at index is
// in the log: the leaf, the latest signed checkpoint and the inclusion
// proof against it, reading the tree size once. It serves every online
// verification, so it makes as few queries as it can.
func (l *Log) Evidence(ctx context.Context, index uint64) (verify.LogEvidence, error) {
	signed, err := l.Checkpoint(ctx)
	if err != nil {
		return verify.LogEvidence{}, err
	}
	cp, err := verify.PeekCheckpoint(signed)
	if err != nil {
		return verify.LogEvidence{}, err
	}
	if index >= cp.Size {
		return verify.LogEvidence{}, badRange(index, cp.Size)
	}

	leaf, err := l.Leaf(ctx, index)
	if err != nil {
		return verify.LogEvidence{}, err
	}
	nodes, err := proof.Inclusion(index, cp.Size)
	if err != nil {
		return verify.LogEvidence{}, fmt.Errorf("inclusion proof of %d in %d: %w", index,
			cp.Size, err)
	}
	hashes, err := l.proofHashes(ctx, nodes)
	if err != nil {
		return verify.LogEvidence{}, err
	}
	return verify.LogEvidence{Index: index, Leaf: leaf, Checkpoint: signed, Proof: hashes}, nil
}

// nodes returns committed node hashes, from memory for the upper levels
// and in one query for the rest.
func (l *Log) nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	hashes := make([][]byte, len(ids))
	var missing []compact.NodeID
	for i, id := range ids {
		if h, ok := l.upper.Load(id); ok {
			hashes[i] = h.([]byte)
			continue
		}
		missing = append(missing, id)
	}
	fetched, err := fetchNodes(ctx, l.db, missing)
	if err != nil {
		return nil, err
	}

	for i, j := 0, 0; i < len(ids); i++ {
		if hashes[i] != nil {
			continue
		}
		hashes[i] = fetched[j]
		if ids[i].Level >= cachedLevel {
			l.upper.Store(ids[i], fetched[j])
		}
		j++
	}
	return hashes, nil
}
