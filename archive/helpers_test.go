package archive_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/internal/pgtest"
)

// samplesDir is the shared folder of real scans, or "" when this checkout
// has none. $SIJIL_SAMPLES overrides the default place.
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SIJIL_SAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "samples")
	}
	if _, err := os.Stat(filepath.Join(dir, "scans")); err != nil {
		return ""
	}
	return dir
}

// openDB opens a migrated SQLite database in a temp folder, or a fresh
// PostgreSQL database under TestPostgres.
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	if pgtest.Requested(t) {
		db := pgtest.Open(t)
		if err := archive.Migrate(context.Background(), db, sijil.DialectPostgres); err != nil {
			t.Fatal(err)
		}
		return db
	}
	// As cmd/sijil opens it: a making that blocks a record writes while
	// other pages are read.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "sijil.db")+
		"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := archive.Migrate(context.Background(), db, "sqlite"); err != nil {
		t.Fatal(err)
	}
	return db
}

// wantKind fails the test unless err is a *sijil.Error of the kind and key.
func wantKind(t *testing.T, err error, kind sijil.Kind, key string) *sijil.Error {
	t.Helper()
	var se *sijil.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *sijil.Error", err, err)
	}
	if se.Kind != kind || se.Key != key {
		t.Fatalf("got kind %d key %q (%q), want kind %d key %q",
			se.Kind, se.Key, se.Message, kind, key)
	}
	return se
}
