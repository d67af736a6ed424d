package sijil

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Dialects Sijil's SQL is written for. Every migration and query must run
// on both: SQLite is the embedded default, PostgreSQL the production store.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Migrate brings one domain's tables up to date. Each domain keeps its own
// migrations and its own version table (domain + "_schema_version"), so
// domains evolve independently in one database. fsys holds the domain's
// numbered .sql files in a folder named migrations, as each domain embeds
// them.
func Migrate(ctx context.Context, db *sql.DB, dialect, domain string, fsys fs.FS) error {
	sub, err := fs.Sub(fsys, "migrations")
	if err != nil {
		return fmt.Errorf("migrate %s: %w", domain, err)
	}
	var d goose.Dialect
	switch dialect {
	case DialectSQLite:
		d = goose.DialectSQLite3
	case DialectPostgres:
		d = goose.DialectPostgres
	default:
		return fmt.Errorf("migrate %s: unknown SQL dialect %q", domain, dialect)
	}

	// Out of order is allowed: migrations written side by side may land in
	// either order, and each creates only its own tables.
	p, err := goose.NewProvider(d, db, sub,
		goose.WithTableName(domain+"_schema_version"), goose.WithDisableGlobalRegistry(true),
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrate %s: %w", domain, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", domain, err)
	}
	return nil
}
