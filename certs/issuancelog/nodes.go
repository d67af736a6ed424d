package issuancelog

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/sijil-municipality/sijil"
)

// querier is what reads need from a *sql.DB or a *sql.Tx: appends read the
// tree inside their transaction, proofs read it outside any.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// factory makes compact ranges that hash with RFC 6962 inner node hashing.
var factory = compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// rangeAt returns the compact range of the first size leaves: the few
// complete subtrees that cover them, from which both the root and the next
// nodes follow.
func rangeAt(ctx context.Context, q querier, size uint64) (*compact.Range, error) {
	hashes, err := fetchNodes(ctx, q, compact.RangeNodes(0, size, nil))
	if err != nil {
		return nil, err
	}
	r, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("log tree at %d: %w", size, err)
	}
	return r, nil
}

// rootAt returns the RFC 6962 root hash of the first size leaves.
func rootAt(ctx context.Context, q querier, size uint64) ([]byte, error) {
	if size == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	r, err := rangeAt(ctx, q, size)
	if err != nil {
		return nil, err
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return nil, fmt.Errorf("log root at %d: %w", size, err)
	}
	return root, nil
}

// fetchNodes returns the hashes of the nodes ids, in their order, in one
// query. Every node asked for is a complete subtree of the stored tree, so a
// missing one means the store is damaged.
func fetchNodes(ctx context.Context, q querier, ids []compact.NodeID) ([][]byte, error) {
	hashes := make([][]byte, len(ids))
	if len(ids) == 0 {
		return hashes, nil
	}
	found, err := queryNodes(ctx, q, ids)
	if err != nil {
		return nil, err
	}

	for i, id := range ids {
		h, ok := found[id]
		if !ok {
			return nil, fmt.Errorf("log node %d/%d is missing", id.Level, id.Index)
		}
		hashes[i] = h
	}
	return hashes, nil
}

func queryNodes(ctx context.Context, q querier, ids []compact.NodeID) (
	map[compact.NodeID][]byte, error) {
	var where strings.Builder
	args := make([]any, 0, 2*len(ids))
	for i, id := range ids {
		if i > 0 {
			where.WriteString(" OR ")
		}
		fmt.Fprintf(&where, "(level = $%d AND node_index = $%d)", 2*i+1, 2*i+2)
		args = append(args, int64(id.Level), int64(id.Index))
	}

	rows, err := q.QueryContext(ctx, `SELECT level, node_index, hash FROM issuancelog_nodes
		WHERE `+where.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("read log nodes: %w", err)
	}
	defer rows.Close()
	found := make(map[compact.NodeID][]byte, len(ids))
	for rows.Next() {
		var level, index int64
		var h string
		if err := rows.Scan(&level, &index, &h); err != nil {
			return nil, fmt.Errorf("read log nodes: %w", err)
		}
		hash, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("log node %d/%d: stored hash: %w", level, index, err)
		}
		found[compact.NewNodeID(uint(level), uint64(index))] = hash
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read log nodes: %w", err)
	}
	return found, nil
}

// insertNodes stores new complete subtrees in one statement.
func insertNodes(ctx context.Context, tx *sql.Tx, nodes []node) error {
	var values strings.Builder
	args := make([]any, 0, 3*len(nodes))
	for i, n := range nodes {
		if i > 0 {
			values.WriteString(", ")
		}
		fmt.Fprintf(&values, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, int64(n.id.Level), int64(n.id.Index), hex.EncodeToString(n.hash))
	}

	_, err := tx.ExecContext(ctx, `INSERT INTO issuancelog_nodes (level, node_index, hash)
		VALUES `+values.String(), args...)
	if err != nil {
		return fmt.Errorf("store log nodes: %w", err)
	}
	return nil
}

// treeSize returns the number of leaves committed to the log.
func treeSize(ctx context.Context, q querier) (uint64, error) {
	var size int64
	err := q.QueryRowContext(ctx, `SELECT size FROM issuancelog_head WHERE id = 1`).Scan(&size)
	if err != nil {
		return 0, fmt.Errorf("read log size: %w", err)
	}
	return uint64(size), nil
}

// indexOf returns the index of the leaf with the hash, or an error of kind
// NotFound.
func indexOf(ctx context.Context, q querier, leafHash []byte) (uint64, error) {
	var index int64
	err := q.QueryRowContext(ctx, `SELECT leaf_index FROM issuancelog_leaves
		WHERE leaf_hash = $1`, hex.EncodeToString(leafHash)).Scan(&index)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, sijil.Errorf(sijil.NotFound, "issuancelog.leaf_not_found",
			"The issuance log has no such entry.")
	}
	if err != nil {
		return 0, fmt.Errorf("find log leaf: %w", err)
	}
	return uint64(index), nil
}
