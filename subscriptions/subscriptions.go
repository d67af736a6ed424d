// Package subscriptions keeps the billing system's snapshot of citizens'
// municipal accounts (water, wastewater, solid waste, craft licences), as
// an admin imports it from CSV, and answers a citizen's question "which
// accounts are tied to my national ID?".
package subscriptions

import (
	"context"
	"database/sql"
	"embed"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the subscriptions tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. It is safe to run at every
// start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "subscriptions", migrations)
}
