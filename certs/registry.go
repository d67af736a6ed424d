package certs

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// PublicLog is the read side of the issuance log that verify nodes serve.
type PublicLog interface {
	Evidence(ctx context.Context, index uint64) (verify.LogEvidence, error)
	LeavesOf(ctx context.Context, certRef string) ([]uint64, error)
}

// Registry answers verify.Registry from the certificate rows and the log,
// so that the verify page and `sijil verify --data` judge alike.
type Registry struct {
	Store *Store
	Log   PublicLog
}

// Certificate returns what the office holds of a certificate, in one
// query for the rows and one call on the log: it serves every online
// verification.
func (r Registry) Certificate(ctx context.Context, id string) (verify.Held, error) {
	var (
		content, status, reason, replacedBy sql.NullString
		logIndex, at                        sql.NullInt64
	)
	err := r.Store.DB.QueryRowContext(ctx, `SELECT c.content, c.log_index, v.status, v.at,
		v.reason, v.replaced_by
		FROM certificates c LEFT JOIN revocations v ON v.cert_id = c.id
		WHERE c.id = $1`, id).Scan(&content, &logIndex, &status, &at, &reason, &replacedBy)
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
	if held.Log, err = r.Log.Evidence(ctx, uint64(logIndex.Int64)); err != nil {
		return verify.Held{}, err
	}

	// Revocations are read from the log, not from the row: see
	// verify.Held.Events.
	leaves, err := r.Log.LeavesOf(ctx, verify.CertRef(id))
	if err != nil {
		return verify.Held{}, err
	}
	for _, index := range leaves {
		if index == uint64(logIndex.Int64) {
			continue
		}
		ev, err := r.Log.Evidence(ctx, index)
		if err != nil {
			return verify.Held{}, err
		}
		held.Events = append(held.Events, ev)
	}
	return held, nil
}
