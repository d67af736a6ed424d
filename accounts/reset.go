package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/notify"
)

// RequestReset sends a one-time code to the phone of the citizen with this
// national ID. It answers the same whether or not the account exists, so
// that the form cannot be used to find who has an account; a code asked
// for again within Policy.ResetResend is not sent twice.
func (s *Service) RequestReset(ctx context.Context, nationalID string) error {
	id := sijil.NormalizeDigits(strings.TrimSpace(nationalID))
	if !sijil.ValidNationalID(id) {
		return sijil.Errorf(sijil.Invalid, "accounts.national_id_invalid",
			"The national ID must be the 9 digits on your ID card; check each digit.")
	}
	row, err := s.loadWhere(ctx, "u.national_id_mac = $1", s.mac("national_id", id))
	if errors.Is(err, errNoUser) {
		return nil
	}
	if err != nil {
		return err
	}
	if row.disabled {
		return nil
	}

	now := s.now().UTC()
	var created string
	err = s.db.QueryRowContext(ctx, `SELECT created_at FROM accounts_reset_codes
		WHERE user_id = $1`, row.ID).Scan(&created)
	if err == nil {
		if at, perr := parseTime(created); perr == nil && now.Sub(at) < s.policy.ResetResend {
			return nil
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("accounts: read reset code: %w", err)
	}

	code, err := resetCode()
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("accounts: store reset code: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM accounts_reset_codes WHERE user_id = $1`,
		row.ID); err != nil {
		return fmt.Errorf("accounts: store reset code: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO accounts_reset_codes (user_id, code_mac,
		created_at, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)`, row.ID,
		s.mac("reset_code", row.ID, code), formatTime(now),
		formatTime(now.Add(s.policy.ResetCodeTTL)))
	if err != nil {
		return fmt.Errorf("accounts: store reset code: %w", err)
	}
	// The code is stored before it is sent: a message that went out with
	// no code behind it would be worse than one that did not go.
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("accounts: store reset code: %w", err)
	}
	minutes := int(s.policy.ResetCodeTTL.Minutes())
	return s.notifier.Send(ctx, notify.Message{
		UserID:  row.ID,
		To:      row.Phone,
		Subject: "سجل: رمز استعادة كلمة المرور · Sijil password reset",
		Body: fmt.Sprintf("رمز استعادة كلمة المرور في سجل: %s (صالح %d دقائق). "+
			"لا تعطه لأحد.\nSijil password reset code: %s (valid %d minutes). "+
			"Never share it.", code, minutes, code, minutes),
	})
}

// ResetPassword sets a new password for the citizen with this national ID
// if code is their current reset code, and signs them out everywhere. A
// wrong, expired or used-up code is kind Invalid; after Policy.
// ResetAttempts wrong tries the code is thrown away.
func (s *Service) ResetPassword(ctx context.Context, nationalID, code, password string) error {
	bad := sijil.Errorf(sijil.Invalid, "accounts.reset_code_wrong",
		"The code is wrong or has expired. Ask for a new code.")
	id := sijil.NormalizeDigits(strings.TrimSpace(nationalID))
	code = sijil.NormalizeDigits(strings.TrimSpace(code))
	if !sijil.ValidNationalID(id) || len(code) != 6 {
		return bad
	}
	row, err := s.loadWhere(ctx, "u.national_id_mac = $1", s.mac("national_id", id))
	if errors.Is(err, errNoUser) {
		return bad
	}
	if err != nil {
		return err
	}
	if err := checkPasswordRule(password, MinCitizenPassword, id, row.Phone,
		row.FullName); err != nil {
		return err
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("accounts: reset password: %w", err)
	}
	defer tx.Rollback()
	var mac, expires string
	var attempts int
	err = tx.QueryRowContext(ctx, `SELECT code_mac, expires_at, attempts
		FROM accounts_reset_codes WHERE user_id = $1`, row.ID).Scan(&mac, &expires, &attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return bad
	}
	if err != nil {
		return fmt.Errorf("accounts: read reset code: %w", err)
	}
	exp, err := parseTime(expires)
	if err != nil {
		return fmt.Errorf("accounts: reset code expiry: %w", err)
	}
	want := s.mac("reset_code", row.ID, code)
	if !s.now().Before(exp) || attempts >= s.policy.ResetAttempts ||
		subtle.ConstantTimeCompare([]byte(mac), []byte(want)) != 1 {
		if err := s.spendAttempt(ctx, tx, row.ID, attempts+1); err != nil {
			return err
		}
		return bad
	}

	if _, err := tx.ExecContext(ctx, `UPDATE accounts_users SET password_hash = $1
		WHERE id = $2`, hashPassword(password), row.ID); err != nil {
		return fmt.Errorf("accounts: set password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM accounts_reset_codes WHERE user_id = $1`,
		row.ID); err != nil {
		return fmt.Errorf("accounts: use reset code: %w", err)
	}
	// Whoever knew the old password must not stay signed in.
	if _, err := tx.ExecContext(ctx, `DELETE FROM accounts_sessions WHERE user_id = $1`,
		row.ID); err != nil {
		return fmt.Errorf("accounts: end sessions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("accounts: reset password: %w", err)
	}
	s.log.Info("password reset", "user_id", row.ID)
	return nil
}

// spendAttempt counts a wrong try, throwing the code away at the limit,
// and commits: the count must stick even though the caller fails.
func (s *Service) spendAttempt(ctx context.Context, tx *sql.Tx, userID string, n int) error {
	var err error
	if n >= s.policy.ResetAttempts {
		_, err = tx.ExecContext(ctx, `DELETE FROM accounts_reset_codes WHERE user_id = $1`,
			userID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE accounts_reset_codes SET attempts = $1
			WHERE user_id = $2`, n, userID)
	}
	if err != nil {
		return fmt.Errorf("accounts: count reset attempt: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("accounts: count reset attempt: %w", err)
	}
	return nil
}

// resetCode returns six random digits.
func resetCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("accounts: make reset code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
