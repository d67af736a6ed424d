package certs

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// PublicLog is the read side of the issuance log that verify nodes serve.
type PublicLog interface {
	Evidence(ctx context.Context, index uint64) (verify.LogEvidence, error)
	LeavesOf(ctx context.Context, certRef string) ([]uint64, error)
}

// Registry answers verify.Registry from the certificate rows and the log,
// so that the verify page and `sijil verify --data` judge alike. Build it
// with NewRegistry; it is safe for concurrent use.
type Registry struct {
	store *Store
	log   PublicLog

	// lookup is the one query every verification makes, prepared once:
	// parsing it anew cost a fifth of a verification's time.
	once   sync.Once
	lookup *sql.Stmt
	err    error
}

// NewRegistry returns the registry over the store and the log.
func NewRegistry(store *Store, log PublicLog) *Registry {
	return &Registry{store: store, log: log}
}

const lookupSQL = `SELECT c.content, c.log_index, v.status, v.at, v.reason, v.replaced_by
	FROM certificates c LEFT JOIN revocations v ON v.cert_id = c.id
	WHERE c.id = $1`

// Certificate returns what the office holds of a certificate, in one
// query for the rows and one call on the log: it serves every online
// verification.
func (r *Registry) Certificate(ctx context.Context, id string) (verify.Held, error) {
	r.once.Do(func() { r.lookup, r.err = r.store.DB.PrepareContext(ctx, lookupSQL) })
	if r.err != nil {
		return verify.Held{}, fmt.Errorf("prepare certificate lookup: %w", r.err)
	}

	var (
		content, status, reason, replacedBy sql.NullString
		logIndex, at                        sql.NullInt64
	)
	err := r.lookup.QueryRowContext(ctx, id).Scan(&content, &logIndex, &status, &at, &reason,
		&replacedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return verify.Held{}, sijil.Errorf(sijil.NotFound, "certs.not_found",
			"No certificate has this number.")
	}
	if err != nil {
		return verify.Held{}, fmt.Errorf("read certificate %s: %w", id, err)
	}

	var held verify.Held
	if held.Content, err = base64.StdEncoding.DecodeString(content.String); err != nil {
		return verify.Held{}, fmt.Errorf("certificate %s: stored content: %w", id, err)
	}
	if status.Valid {
		held.Revocation = &verify.Revocation{CertID: id, Status: verify.Status(status.String),
			At: at.Int64, Reason: reason.String, ReplacedBy: replacedBy.String}
	}
	if held.Log, err = r.log.Evidence(ctx, uint64(logIndex.Int64)); err != nil {
		return verify.Held{}, err
	}

	// Revocations are read from the log, not from the row: see
	// verify.Held.Events.
	leaves, err := r.log.LeavesOf(ctx, verify.CertRef(id))
	if err != nil {
		return verify.Held{}, err
	}
	for _, index := range leaves {
		if index == uint64(logIndex.Int64) {
			continue
		}
		ev, err := r.log.Evidence(ctx, index)
		if err != nil {
			return verify.Held{}, err
		}
		held.Events = append(held.Events, ev)
	}
	return held, nil
}
