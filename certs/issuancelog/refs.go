package issuancelog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"

	"github.com/sijil-municipality/sijil/verify"
)

// indexRefs records which certificates a leaf names: the one it issues or
// revokes and, for a supersession, the one it replaces.
func indexRefs(ctx context.Context, tx *sql.Tx, index uint64, e verify.LogEntry) error {
	for _, ref := range []string{e.CertRef, e.Replaces} {
		if ref == "" {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO issuancelog_certs (cert_ref, leaf_index)
			VALUES ($1, $2) ON CONFLICT DO NOTHING`, ref, int64(index))
		if err != nil {
			return fmt.Errorf("index log leaf %d: %w", index, err)
		}
	}
	return nil
}

// LeavesOf returns the indexes of every leaf that names the certificate
// with the given verify.CertRef, in log order.
func (l *Log) LeavesOf(ctx context.Context, certRef string) ([]uint64, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT leaf_index FROM issuancelog_certs
		WHERE cert_ref = $1 ORDER BY leaf_index`, certRef)
	if err != nil {
		return nil, fmt.Errorf("read log leaves of a certificate: %w", err)
	}
	defer rows.Close()

	var out []uint64
	for rows.Next() {
		var i int64
		if err := rows.Scan(&i); err != nil {
			return nil, fmt.Errorf("read log leaves of a certificate: %w", err)
		}
		out = append(out, uint64(i))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read log leaves of a certificate: %w", err)
	}
	return out, nil
}

// backfillRefs indexes leaves appended before the certificate index
// existed. It reads only leaves past the highest indexed one, so at every
// later start it costs one query.
func backfillRefs(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT leaf_index, leaf FROM issuancelog_leaves
		WHERE leaf_index > (SELECT COALESCE(MAX(leaf_index), -1) FROM issuancelog_certs)
		ORDER BY leaf_index`)
	if err != nil {
		return fmt.Errorf("index old log leaves: %w", err)
	}
	type leaf struct {
		index uint64
		entry verify.LogEntry
	}
	var leaves []leaf
	for rows.Next() {
		var (
			i   int64
			b64 string
		)
		if err := rows.Scan(&i, &b64); err != nil {
			rows.Close()
			return fmt.Errorf("index old log leaves: %w", err)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			rows.Close()
			return fmt.Errorf("log leaf %d: %w", i, err)
		}
		e, err := verify.DecodeLogEntry(raw)
		if err != nil {
			rows.Close()
			return fmt.Errorf("log leaf %d: %w", i, err)
		}
		leaves = append(leaves, leaf{uint64(i), e})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("index old log leaves: %w", err)
	}
	rows.Close()

	for _, l := range leaves {
		if err := indexRefs(ctx, tx, l.index, l.entry); err != nil {
			return err
		}
	}
	return tx.Commit()
}
