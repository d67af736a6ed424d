package certs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sijil-municipality/sijil/verify"
)

// PublicLog is the read side of the issuance log that verify nodes serve.
type PublicLog interface {
	Checkpoint(ctx context.Context) ([]byte, error)
	Inclusion(ctx context.Context, index, size uint64) ([][]byte, error)
	Leaf(ctx context.Context, index uint64) ([]byte, error)
}

// Registry answers verify.Registry from the certificate rows and the log,
// so that the verify page and `sijil verify --data` judge alike.
type Registry struct {
	Store *Store
	Log   PublicLog
}

// ContentByID returns a certificate's canonical content.
func (r Registry) ContentByID(ctx context.Context, id string) ([]byte, error) {
	return r.Store.ContentByID(ctx, id)
}

// RevocationOf returns how a certificate stopped being current, if it did.
func (r Registry) RevocationOf(ctx context.Context, id string) (verify.Revocation, bool,
	error) {
	var (
		rev    verify.Revocation
		status string
	)
	err := r.Store.DB.QueryRowContext(ctx, `SELECT cert_id, status, at, reason,
		COALESCE(replaced_by, '') FROM revocations WHERE cert_id = $1`, id).
		Scan(&rev.CertID, &status, &rev.At, &rev.Reason, &rev.ReplacedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return verify.Revocation{}, false, nil
	}
	if err != nil {
		return verify.Revocation{}, false, fmt.Errorf("read revocation of %s: %w", id, err)
	}
	rev.Status = verify.Status(status)
	return rev, true, nil
}

// LogEvidence returns the certificate's issuance leaf with an inclusion
// proof against the latest checkpoint.
func (r Registry) LogEvidence(ctx context.Context, id string) (verify.LogEvidence, error) {
	c, err := r.Store.CertificateByID(ctx, id)
	if err != nil {
		return verify.LogEvidence{}, err
	}
	ev := verify.LogEvidence{Index: c.LogIndex}
	if ev.Leaf, err = r.Log.Leaf(ctx, c.LogIndex); err != nil {
		return verify.LogEvidence{}, err
	}
	if ev.Checkpoint, err = r.Log.Checkpoint(ctx); err != nil {
		return verify.LogEvidence{}, err
	}
	cp, err := verify.PeekCheckpoint(ev.Checkpoint)
	if err != nil {
		return verify.LogEvidence{}, err
	}
	if ev.Proof, err = r.Log.Inclusion(ctx, c.LogIndex, cp.Size); err != nil {
		return verify.LogEvidence{}, err
	}
	return ev, nil
}
