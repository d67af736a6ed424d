package archive

import (
	"context"
	"database/sql"
	"embed"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings archive's tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. It is safe to run at every
// start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "archive", migrations)
}
