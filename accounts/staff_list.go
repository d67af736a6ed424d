package accounts

import (
	"context"
	"fmt"
)

// StaffWithRole returns the enabled staff accounts holding role, by name,
// so that a supervisor can pick the clerk to hand a request to.
func (s *Service) StaffWithRole(ctx context.Context, role string) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.id FROM accounts_users u
		JOIN accounts_roles r ON r.user_id = u.id
		WHERE r.role = $1 AND u.disabled = $2 ORDER BY u.full_name, u.id`, role, false)
	if err != nil {
		return nil, fmt.Errorf("accounts: list staff: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("accounts: list staff: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("accounts: list staff: %w", err)
	}
	rows.Close()

	users := make([]User, 0, len(ids))
	for _, id := range ids {
		row, err := s.loadWhere(ctx, "u.id = $1", id)
		if err != nil {
			return nil, err
		}
		users = append(users, row.User)
	}
	return users, nil
}
