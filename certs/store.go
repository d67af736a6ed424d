package certs

import (
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the certificate tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("certs: migrations: %w", err)
	}
	return sijil.Migrate(ctx, db, dialect, "certs", fsys)
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
}

// Store reads and writes certificate rows.
type Store struct {
	DB *sql.DB
}

// Create records an issued certificate.
func (s *Store) Create(ctx context.Context, c Certificate) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO certificates
		(id, kind, key_id, issued_at, content, token, pdf_key, pdf_sha256)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.Kind, c.KeyID, c.IssuedAt.Unix(),
		base64.StdEncoding.EncodeToString(c.Content), c.Token, c.PDFKey, c.PDFSHA256)
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
	)
	err := s.DB.QueryRowContext(ctx, `SELECT id, kind, key_id, issued_at, content, token,
		pdf_key, pdf_sha256 FROM certificates WHERE id = $1`, id).
		Scan(&c.ID, &c.Kind, &c.KeyID, &issuedAt, &content, &c.Token, &c.PDFKey, &c.PDFSHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, sijil.Errorf(sijil.NotFound, "certs.not_found",
			"No certificate has this number.")
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("read certificate: %w", err)
	}

	c.IssuedAt = time.Unix(issuedAt, 0).UTC()
	if c.Content, err = base64.StdEncoding.DecodeString(content); err != nil {
		return Certificate{}, fmt.Errorf("certificate %s: stored content: %w", id, err)
	}
	return c, nil
}

// ContentByID returns the canonical content of a certificate, for the
// verify page to check against the token and show.
func (s *Store) ContentByID(ctx context.Context, id string) ([]byte, error) {
	c, err := s.CertificateByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.Content, nil
}
