package certs

import (
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the certificate tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "certs", migrations)
}

// Certificate is the office's record of one issued certificate.
type Certificate struct {
	ID        string
	Kind      string
	KeyID     string
	IssuedAt  time.Time
	Content   []byte // canonical CBOR, as signed by digest
	Token     string
	PDFKey    string
	PDFSHA256 string
	LogIndex  uint64 // the issuance's leaf in the public log
	CheckCode string // printed under the QR code
}

// Store reads and writes certificate rows.
type Store struct {
	DB *sql.DB
}

// createTx records an issued certificate inside the issuance transaction.
func createTx(ctx context.Context, tx *sql.Tx, c Certificate) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO certificates
		(id, kind, key_id, issued_at, content, token, pdf_key, pdf_sha256, log_index,
		 check_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.Kind, c.KeyID, c.IssuedAt.Unix(),
		base64.StdEncoding.EncodeToString(c.Content), c.Token, c.PDFKey, c.PDFSHA256,
		int64(c.LogIndex), c.CheckCode)
	if err != nil {
		return fmt.Errorf("record certificate %s: %w", c.ID, err)
	}
	return nil
}

// CertificateByID returns the certificate with the printed id, or an error
// of kind NotFound.
func (s *Store) CertificateByID(ctx context.Context, id string) (Certificate, error) {
	var (
		c        Certificate
		issuedAt int64
		content  string
		logIndex sql.NullInt64
	)
	err := s.DB.QueryRowContext(ctx, `SELECT id, kind, key_id, issued_at, content, token,
		pdf_key, pdf_sha256, log_index FROM certificates WHERE id = $1`, id).
		Scan(&c.ID, &c.Kind, &c.KeyID, &issuedAt, &content, &c.Token, &c.PDFKey, &c.PDFSHA256,
			&logIndex)
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, sijil.Errorf(sijil.NotFound, "certs.not_found",
			"No certificate has this number.")
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("read certificate: %w", err)
	}

	c.IssuedAt = time.Unix(issuedAt, 0).UTC()
	c.LogIndex = uint64(logIndex.Int64)
	if c.Content, err = base64.StdEncoding.DecodeString(content); err != nil {
		return Certificate{}, fmt.Errorf("certificate %s: stored content: %w", id, err)
	}
	return c, nil
}

// TokenByCode returns the token of the certificate with the printed id or
// check code a person typed. A mistyped check code is an Invalid error
// saying so; an unknown code is NotFound.
func (s *Store) TokenByCode(ctx context.Context, typed string) (string, error) {
	column, value := "id", ""
	if id, err := verify.ParseID(typed); err == nil {
		value = verify.FormatID(id)
	} else {
		code, err := verify.ParseCheckCode(typed)
		if errors.Is(err, verify.ErrMistyped) {
			return "", sijil.Errorf(sijil.Invalid, "certs.code_mistyped",
				"One character of the code was mistyped: compare each character with the "+
					"paper and type the code again.")
		}
		if err != nil {
			return "", notCodeOrID(typed)
		}
		column, value = "check_code", code
	}

	var token string
	err := s.DB.QueryRowContext(ctx, `SELECT token FROM certificates WHERE `+column+
		` = $1`, value).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoSuchCode()
	}
	if err != nil {
		return "", fmt.Errorf("look up certificate code: %w", err)
	}
	return token, nil
}

// notCodeOrID says why typed is neither a certificate number nor a check
// code. Text about as long as a check code is one with a character left
// out or typed twice, which the verifier can fix by reading the paper
// again; anything else is simply no certificate's.
func notCodeOrID(typed string) error {
	n := 0
	for _, c := range typed {
		if c != '-' && c != ' ' {
			n++
		}
	}
	if n >= 9 && n <= 15 {
		return sijil.Errorf(sijil.Invalid, "certs.code_length",
			"A check code has 12 letters and digits, printed as XXXX-XXXX-XXXX under "+
				"the QR code; this one has %d. Check it against the paper.", n)
	}
	return errNoSuchCode()
}

func errNoSuchCode() error {
	return sijil.Errorf(sijil.NotFound, "certs.not_found",
		"No certificate has this number or code. Check it against the paper, or scan "+
			"the QR code.")
}

// Latest returns the most recently issued certificate, or NotFound.
func (s *Store) Latest(ctx context.Context) (Certificate, error) {
	var id string
	err := s.DB.QueryRowContext(ctx, `SELECT id FROM certificates
		ORDER BY issued_at DESC, id DESC LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, sijil.Errorf(sijil.NotFound, "certs.none",
			"No certificate has been issued yet.")
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("latest certificate: %w", err)
	}
	return s.CertificateByID(ctx, id)
}

// revokeTx records a revocation or supersession inside its transaction.
// The primary key refuses a second revocation of the same certificate.
func revokeTx(ctx context.Context, tx *sql.Tx, r verify.Revocation, note string,
	logIndex uint64) error {
	var replacedBy any
	if r.ReplacedBy != "" {
		replacedBy = r.ReplacedBy
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO revocations
		(cert_id, status, at, reason, replaced_by, note, log_index)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.CertID, string(r.Status), r.At, r.Reason, replacedBy, note, int64(logIndex))
	if err != nil {
		return fmt.Errorf("record revocation of %s: %w", r.CertID, err)
	}
	return nil
}

// Revocations returns every revocation and supersession, oldest first.
func (s *Store) Revocations(ctx context.Context) ([]verify.Revocation, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT cert_id, status, at, reason,
		COALESCE(replaced_by, '') FROM revocations ORDER BY at, cert_id`)
	if err != nil {
		return nil, fmt.Errorf("read revocations: %w", err)
	}
	defer rows.Close()

	var out []verify.Revocation
	for rows.Next() {
		var r verify.Revocation
		var status string
		if err := rows.Scan(&r.CertID, &status, &r.At, &r.Reason, &r.ReplacedBy); err != nil {
			return nil, fmt.Errorf("read revocations: %w", err)
		}
		r.Status = verify.Status(status)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read revocations: %w", err)
	}
	return out, nil
}

// revocationStatus returns how a certificate stopped being current, or ""
// while it is current.
func (s *Store) revocationStatus(ctx context.Context, certID string) (verify.Status, error) {
	var status string
	err := s.DB.QueryRowContext(ctx, `SELECT status FROM revocations WHERE cert_id = $1`,
		certID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read revocation of %s: %w", certID, err)
	}
	return verify.Status(status), nil
}
