package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// OriginalBlocked reports whether the record's original must not be
// downloaded because its last fixity check failed. A record never checked
// is not blocked; a record that does not exist is a NotFound error.
func (s *Store) OriginalBlocked(ctx context.Context, recordID string) (bool, error) {
	var since sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT f.blocked_since FROM records r
		LEFT JOIN fixity_records f ON f.record_id = r.id WHERE r.id = $1`,
		recordID).Scan(&since)
	if errors.Is(err, sql.ErrNoRows) {
		return false, sijil.Errorf(sijil.NotFound, "archive.record_not_found",
			"no archive record has id %s", recordID)
	}
	if err != nil {
		return false, fmt.Errorf("archive: fixity of %s: %w", recordID, err)
	}
	return since.Valid, nil
}

// recordIDsAfter returns up to limit record ids greater than after, in
// order: paging by key keeps no cursor open while results are written.
func (s *Store) recordIDsAfter(ctx context.Context, after string, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM records WHERE id > $1 ORDER BY id LIMIT $2`,
		after, limit)
}

// recordIDsForRota returns the n records checked longest ago. Never
// checked sorts first, as the empty string sorts before any time.
func (s *Store) recordIDsForRota(ctx context.Context, n int) ([]string, error) {
	return s.ids(ctx, `SELECT r.id FROM records r
		LEFT JOIN fixity_records f ON f.record_id = r.id
		ORDER BY COALESCE(f.checked_at, ''), r.created_at, r.id LIMIT $1`, n)
}

func (s *Store) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("archive: listing records to check: %w", err)
	}
	defer rows.Close()

	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("archive: listing records to check: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: listing records to check: %w", err)
	}
	return ids, nil
}

// baselines returns the recorded hashes of a record's page images by key.
func (s *Store) baselines(ctx context.Context, recordID string) (map[string]objectCheck, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT object_key, sha256, size_bytes
		FROM fixity_baselines WHERE record_id = $1`, recordID)
	if err != nil {
		return nil, fmt.Errorf("archive: fixity baselines of %s: %w", recordID, err)
	}
	defer rows.Close()

	m := map[string]objectCheck{}
	for rows.Next() {
		var c objectCheck
		if err := rows.Scan(&c.key, &c.wantSHA, &c.wantSize); err != nil {
			return nil, fmt.Errorf("archive: fixity baselines of %s: %w", recordID, err)
		}
		m[c.key] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: fixity baselines of %s: %w", recordID, err)
	}
	return m, nil
}

// saveFixity writes a record's verdicts in one transaction: an event per
// object, new baselines, and the record's check time and block.
func (s *Store) saveFixity(ctx context.Context, recordID string, at time.Time,
	results []objectResult) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the original error says more than the rollback's
		}
	}()

	var failures []string
	for _, r := range results {
		if err = saveResult(ctx, tx, recordID, at, r); err != nil {
			return err
		}
		if r.kind != EventFixityOK {
			failures = append(failures, r.kind+" "+r.key)
		}
	}
	if err = markChecked(ctx, tx, recordID, at, failures); err != nil {
		return err
	}

	if err = tx.Commit(); err != nil {
		return fmt.Errorf("archive: commit fixity of %s: %w", recordID, err)
	}
	return nil
}

func saveResult(ctx context.Context, tx *sql.Tx, recordID string, at time.Time,
	r objectResult) error {
	err := insertEvent(ctx, tx, Event{At: at, Kind: r.kind, RecordID: recordID,
		ObjectKey: r.key, Detail: r.detail})
	if err != nil || !r.baseline {
		return err
	}
	return insertBaselines(ctx, tx, recordID, at, []objectCheck{{key: r.key,
		wantSHA: r.gotSHA, wantSize: r.gotSize}})
}

// insertBaselines records the hashes objects must keep: at ingest or at
// an image's making, from the bytes stored; for an object stored before
// that, at its first check. A key that has one keeps it.
func insertBaselines(ctx context.Context, db sqlExecer, recordID string, at time.Time,
	objects []objectCheck) error {
	for _, o := range objects {
		_, err := db.ExecContext(ctx, `INSERT INTO fixity_baselines (object_key, record_id,
			sha256, size_bytes, recorded_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (object_key) DO NOTHING`,
			o.key, recordID, o.wantSHA, o.wantSize, at.UTC().Format(timeLayout))
		if err != nil {
			return fmt.Errorf("archive: fixity baseline of %s: %w", o.key, err)
		}
	}
	return nil
}

// markChecked records the check time and blocks the original when any
// object failed: certified copies are made from the page images, so a
// damaged image is as unsafe to hand out as a damaged original. A clean
// check lifts the block, since the bytes are then proven to be the
// recorded ones again (restored from a backup, say).
func markChecked(ctx context.Context, tx *sql.Tx, recordID string, at time.Time,
	failures []string) error {
	var blocked any // NULL: not blocked
	if len(failures) > 0 {
		blocked = at.Format(timeLayout)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO fixity_records (record_id, checked_at,
		blocked_since, failure) VALUES ($1, $2, $3, $4)
		ON CONFLICT (record_id) DO UPDATE SET checked_at = excluded.checked_at,
			blocked_since = CASE WHEN excluded.blocked_since IS NULL THEN NULL
				ELSE COALESCE(fixity_records.blocked_since, excluded.blocked_since) END,
			failure = excluded.failure`,
		recordID, at.Format(timeLayout), blocked, strings.Join(failures, "; "))
	if err != nil {
		return fmt.Errorf("archive: marking %s checked: %w", recordID, err)
	}
	return nil
}
