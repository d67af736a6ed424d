package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/sijil-municipality/sijil"
)

// ChangePassword replaces the user's password after checking the current
// one, clears MustChangePassword, and ends every session of the user: the
// caller signs the browser in again. A wrong current password is kind
// Invalid (the person is signed in; they mistyped).
func (s *Service) ChangePassword(ctx context.Context, userID, current, next string) error {
	row, err := s.loadWhere(ctx, "u.id = $1", userID)
	if errors.Is(err, errNoUser) {
		return sijil.Errorf(sijil.NotFound, "accounts.no_user", "There is no such account.")
	}
	if err != nil {
		return err
	}
	if !checkPassword(row.passwordHash, current) {
		return sijil.Errorf(sijil.Invalid, "accounts.current_password_wrong",
			"The current password is wrong.")
	}
	min := MinCitizenPassword
	if row.IsStaff() {
		min = MinStaffPassword
	}
	if err := checkPasswordRule(next, min, row.NationalID, row.Phone, row.FullName,
		row.Login); err != nil {
		return err
	}
	if next == current {
		return sijil.Errorf(sijil.Invalid, "accounts.password_unchanged",
			"Choose a password different from the current one.")
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE accounts_users SET password_hash = $1,
		must_change_password = FALSE WHERE id = $2`, hashPassword(next), userID); err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM accounts_sessions WHERE user_id = $1`,
		userID); err != nil {
		return fmt.Errorf("accounts: end sessions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	s.log.Info("password changed", "user_id", userID)
	return nil
}
