package certs

import (
	"context"
	"database/sql"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// maxNoteRunes bounds the supervisor's internal note on a revocation.
const maxNoteRunes = 1000

// Revoke ends a certificate's validity for a public reason code, with an
// internal note that is never published. The revocation and its log leaf
// commit together.
func (is *Issuer) Revoke(ctx context.Context, certID, reason, note string) error {
	if !verify.ValidReason(reason) || reason == verify.ReasonSuperseded {
		return sijil.Errorf(sijil.Invalid, "certs.bad_reason",
			"the reason must be one of %s, %s, %s, %s (supersede a certificate by issuing "+
				"its replacement)", verify.ReasonIssuedInErr, verify.ReasonFactsChanged,
			verify.ReasonCourtOrder, verify.ReasonFraud)
	}
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return sijil.Errorf(sijil.Invalid, "certs.note_too_long",
			"the note is longer than %d characters", maxNoteRunes)
	}
	if id, err := verify.ParseID(certID); err == nil {
		certID = verify.FormatID(id)
	}
	if err := is.checkCurrent(ctx, certID); err != nil {
		return err
	}

	rev := verify.Revocation{CertID: certID, Status: verify.StatusRevoked,
		At: is.now().Unix(), Reason: reason}
	err := is.inTx(ctx, func(tx *sql.Tx) error { return is.revokeTx(ctx, tx, rev, note) })
	if err != nil {
		return err
	}
	is.log().Info("certificate revoked", "cert_id", certID, "reason", reason)
	return nil
}

// checkCurrent fails unless the certificate exists and is current.
func (is *Issuer) checkCurrent(ctx context.Context, certID string) error {
	if _, err := is.Store.CertificateByID(ctx, certID); err != nil {
		return err
	}
	status, err := is.Store.revocationStatus(ctx, certID)
	if err != nil {
		return err
	}
	if status != "" {
		return sijil.Errorf(sijil.Conflict, "certs.already_revoked",
			"certificate %s is already %s", certID, status)
	}
	return nil
}

// checkReplaceable fails unless the certificate exists, is current, and is
// of the kind that replaces it: a craft certificate cannot stand in for a
// building's.
func (is *Issuer) checkReplaceable(ctx context.Context, certID string, kind verify.Kind) error {
	c, err := is.Store.CertificateByID(ctx, certID)
	if err != nil {
		return err
	}
	if c.Kind != kind.String() {
		return sijil.Errorf(sijil.Invalid, "certs.supersede_kind",
			"certificate %s is a %s certificate; a %s certificate cannot replace it",
			certID, c.Kind, kind)
	}
	return is.checkCurrent(ctx, certID)
}

// revokeTx logs and records a revocation or supersession. The log leaf
// holds the digest of the revocation record, so the public reason and
// date are bound into the log.
func (is *Issuer) revokeTx(ctx context.Context, tx *sql.Tx, rev verify.Revocation,
	note string) error {
	var keyID string
	err := tx.QueryRowContext(ctx, `SELECT key_id FROM certificates WHERE id = $1`,
		rev.CertID).Scan(&keyID)
	if err != nil {
		return fmt.Errorf("certificate %s: %w", rev.CertID, err)
	}
	record, err := verify.Marshal(rev)
	if err != nil {
		return fmt.Errorf("encode revocation: %w", err)
	}
	entry := verify.LogEntry{Op: verify.OpRevoke, CertRef: verify.CertRef(rev.CertID),
		Digest: verify.Digest(record), KeyID: keyID, Time: rev.At}
	if rev.Status == verify.StatusSuperseded {
		entry.Op, entry.CertRef = verify.OpSupersede, verify.CertRef(rev.ReplacedBy)
		entry.Replaces = verify.CertRef(rev.CertID)
	}

	index, err := is.appendLog(ctx, tx, entry)
	if err != nil {
		return err
	}
	return revokeTx(ctx, tx, rev, note, index)
}

func (is *Issuer) appendLog(ctx context.Context, tx *sql.Tx, e verify.LogEntry) (uint64,
	error) {
	encoded, err := e.Encode()
	if err != nil {
		return 0, err
	}
	index, err := is.Log.AppendTx(ctx, tx, encoded)
	if err != nil {
		return 0, fmt.Errorf("append to the issuance log: %w", err)
	}
	return index, nil
}

// inTx runs fn in a transaction and commits only if it succeeds.
func (is *Issuer) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := is.Store.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// SignedRevocationList returns the revocation list as published: every
// revocation and supersession, signed by the keyring.
func (is *Issuer) SignedRevocationList(ctx context.Context, kr *Keyring) ([]byte, error) {
	return SignedRevocationList(ctx, is.Store, kr, is.Office, is.now())
}

// SignedRevocationList builds and signs the revocation list from the
// store; verify nodes call it without an Issuer.
func SignedRevocationList(ctx context.Context, s *Store, kr *Keyring, office string,
	now time.Time) ([]byte, error) {
	revs, err := s.Revocations(ctx)
	if err != nil {
		return nil, err
	}
	return kr.signDoc(verify.DomainRevocations, verify.NewRevocationList(office, now, revs))
}
