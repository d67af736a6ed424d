// Package issuancelog keeps Sijil's public issuance log: every issuance,
// revocation and supersession of a certificate is a leaf of an append-only
// RFC 6962 Merkle tree with signed checkpoints, so that nobody, staff
// included, can issue or revoke silently. The log's format and the checks a
// verifier runs live in package verify; this package stores the tree and
// answers proofs.
package issuancelog

import (
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the log's tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	if err := sijil.Migrate(ctx, db, dialect, "issuancelog", migrations); err != nil {
		return err
	}
	return backfillRefs(ctx, db)
}

// Log is the issuance log kept in a database. It is safe for concurrent
// use; appends are serialised by the database (see AppendTx).
type Log struct {
	db     *sql.DB
	signer note.Signer
	origin string

	mu   sync.Mutex // guards last
	last signedCheckpoint

	// upper caches committed nodes of level cachedLevel and above: every
	// proof needs some, they never change once committed, and there are
	// few of them (one for every 2^cachedLevel leaves).
	upper sync.Map // compact.NodeID → []byte
}

// cachedLevel is the lowest level of nodes kept in memory.
const cachedLevel = 4

// signedCheckpoint is the latest checkpoint signed, kept because every
// verification asks for it and the tree changes far less often.
type signedCheckpoint struct {
	size uint64
	note []byte
}

// New returns the log stored in db, whose checkpoints name origin and are
// signed by signer. The signer's name must be origin (LoadOrCreateKey makes
// it so); Checkpoint fails otherwise.
func New(db *sql.DB, signer note.Signer, origin string) *Log {
	return &Log{db: db, signer: signer, origin: origin}
}

// AppendTx adds an encoded verify.LogEntry as the next leaf, inside the
// caller's transaction, so that a certificate row and its leaf commit
// together or not at all; it returns the leaf's index.
//
// Appends are serialised on the log's head row: AppendTx first increments
// the leaf count there, and the write lock that takes lasts until the
// caller commits or rolls back. In PostgreSQL (READ COMMITTED) a second
// appender waits on that row lock and then sees the first one's nodes; in
// SQLite the database's single writer does the same. So the caller should
// keep the transaction short after AppendTx, and in SQLite should not read
// before its first write in the transaction, or a concurrent append makes
// it fail with SQLITE_BUSY instead of waiting. An entry already in the log
// is refused with kind Conflict; a bad one with kind Invalid.
func (l *Log) AppendTx(ctx context.Context, tx *sql.Tx, entry []byte) (uint64, error) {
	decoded, err := verify.DecodeLogEntry(entry)
	if err != nil {
		return 0, sijil.Errorf(sijil.Invalid, "issuancelog.bad_entry",
			"The log entry is not valid: %w", err)
	}

	// The claim comes first: in SQLite, a read before the first write would
	// fail with SQLITE_BUSY instead of waiting for a concurrent append.
	index, err := claimIndex(ctx, tx)
	if err != nil {
		return 0, err
	}
	leafHash := verify.LeafHash(entry)
	if err := refuseDuplicate(ctx, tx, leafHash); err != nil {
		return 0, err
	}
	nodes, err := newNodes(ctx, tx, index, leafHash)
	if err != nil {
		return 0, err
	}

	_, err = tx.ExecContext(ctx, `INSERT INTO issuancelog_leaves (leaf_index, leaf, leaf_hash)
		VALUES ($1, $2, $3)`,
		int64(index), base64.StdEncoding.EncodeToString(entry), hex.EncodeToString(leafHash))
	if err != nil {
		return 0, fmt.Errorf("append log leaf %d: %w", index, err)
	}
	if err := insertNodes(ctx, tx, nodes); err != nil {
		return 0, fmt.Errorf("append log leaf %d: %w", index, err)
	}
	if err := indexRefs(ctx, tx, index, decoded); err != nil {
		return 0, err
	}
	return index, nil
}

// refuseDuplicate fails with kind Conflict when the leaf is in the log
// already. The unique leaf_hash column would refuse it too, but in
// PostgreSQL only by aborting the caller's whole transaction.
func refuseDuplicate(ctx context.Context, tx *sql.Tx, leafHash []byte) error {
	_, err := indexOf(ctx, tx, leafHash)
	if err == nil {
		return sijil.Errorf(sijil.Conflict, "issuancelog.duplicate",
			"This entry is in the issuance log already.")
	}
	if sijil.KindOf(err) != sijil.NotFound {
		return err
	}
	return nil
}

// claimIndex increments the leaf count and returns the index of the new
// leaf. It is the append's first write, which takes the lock that
// serialises appends (see AppendTx).
func claimIndex(ctx context.Context, tx *sql.Tx) (uint64, error) {
	var size int64
	err := tx.QueryRowContext(ctx, `UPDATE issuancelog_head SET size = size + 1
		WHERE id = 1 RETURNING size`).Scan(&size)
	if err != nil {
		return 0, fmt.Errorf("claim log index: %w", err)
	}
	return uint64(size - 1), nil
}

// node is one complete subtree's hash.
type node struct {
	id   compact.NodeID
	hash []byte
}

// newNodes returns the subtrees that the leaf at index completes: the leaf
// itself and every subtree whose last leaf it is.
func newNodes(ctx context.Context, tx *sql.Tx, index uint64, leafHash []byte) ([]node, error) {
	r, err := rangeAt(ctx, tx, index)
	if err != nil {
		return nil, err
	}

	var nodes []node
	err = r.Append(leafHash, func(id compact.NodeID, hash []byte) {
		nodes = append(nodes, node{id: id, hash: hash})
	})
	if err != nil {
		return nil, fmt.Errorf("log tree at %d: %w", index, err)
	}
	return nodes, nil
}
