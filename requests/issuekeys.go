package requests

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/audit"
)

// RecordIssueKeyTx records, in the transaction that records a certificate,
// that key produced it. A key already recorded is a Conflict, which must
// roll that transaction back: that is what keeps a second certificate from
// being committed under one key. Issuer implementations call it (see
// requests/certsissuer).
func RecordIssueKeyTx(ctx context.Context, tx *sql.Tx, key string, c Certificate) error {
	if key == "" || c.ID == "" {
		return fmt.Errorf("requests: an issue key and a certificate id are required")
	}
	if _, err := CertificateForKey(ctx, tx, key); err == nil {
		return errKeyUsed(key)
	} else if sijil.KindOf(err) != sijil.NotFound {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO requests_issue_keys (issue_key, cert_id,
		pdf_key, at) VALUES ($1, $2, $3, $4)`, key, c.ID, c.PDFKey, formatTime(time.Now()))
	if err != nil {
		// A racing transaction inserted the key after the check above: the
		// primary key refused this one.
		return fmt.Errorf("requests: record issue key: %w: %w", errKeyUsed(key), err)
	}
	return nil
}

// CertificateForKey returns the certificate recorded under key, or an
// error of kind NotFound.
func CertificateForKey(ctx context.Context, q audit.Queryer, key string) (Certificate, error) {
	var c Certificate
	err := q.QueryRowContext(ctx, `SELECT cert_id, pdf_key FROM requests_issue_keys
		WHERE issue_key = $1`, key).Scan(&c.ID, &c.PDFKey)
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, sijil.Errorf(sijil.NotFound, "requests.issue_key_unknown",
			"No certificate was issued under this key.")
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("requests: read issue key: %w", err)
	}
	return c, nil
}

func errKeyUsed(key string) error {
	return sijil.Errorf(sijil.Conflict, "requests.issue_key_used",
		"A certificate was already issued under key %s.", key)
}
