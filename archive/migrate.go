package archive

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// versionTable is archive's own goose version table, so that other domains
// can keep their migrations in the same database without mixing versions.
const versionTable = "archive_schema_version"

// Migrate brings archive's tables in db up to date. dialect is "sqlite" or
// "postgres". It is safe to run at every start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	var d goose.Dialect
	switch dialect {
	case "sqlite":
		d = goose.DialectSQLite3
	case "postgres":
		d = goose.DialectPostgres
	default:
		return fmt.Errorf("archive: unknown SQL dialect %q (want sqlite or postgres)", dialect)
	}

	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("archive: migrations: %w", err)
	}
	p, err := goose.NewProvider(d, db, fsys,
		goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("archive: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("archive: migrating %s: %w", dialect, err)
	}
	return nil
}
