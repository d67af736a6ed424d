package archive

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings archive's tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. It is safe to run at every
// start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("archive: migrations: %w", err)
	}
	return sijil.Migrate(ctx, db, dialect, "archive", fsys)
}
