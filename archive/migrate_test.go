package archive_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/internal/pgtest"
)

// TestMigrationMovesManifestFieldsOntoRecords builds the schema as it was
// before migration 5, archives a record from a manifest, and checks that
// migration 5 copies the manifest's fields onto the record, which search
// and the archivist now read.
func TestMigrationMovesManifestFieldsOntoRecords(t *testing.T) {
	ctx := context.Background()
	var db *sql.DB
	if pgtest.Requested(t) {
		db = pgtest.Open(t)
	} else {
		var err error
		db, err = sql.Open("sqlite", filepath.Join(t.TempDir(), "sijil.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	}
	// The archive's own migrations, as Migrate finds them, up to 4.
	d := goose.DialectSQLite3
	if pgtest.Requested(t) {
		d = goose.DialectPostgres
	}
	p, err := goose.NewProvider(d, db, os.DirFS("migrations"),
		goose.WithTableName("archive_schema_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{
		`INSERT INTO records VALUES ('rec_1', 'ab', 'p.png', 'image/png', 1, 1, 'deed',
			'7/1998', '', '2020-01-01T00:00:00.000000Z')`,
		`INSERT INTO records VALUES ('rec_2', 'cd', 'q.png', 'image/png', 1, 1, '', '', '',
			'2020-01-01T00:00:00.000000Z')`,
		`INSERT INTO ingest_jobs VALUES ('job_1', '/m.csv', 'ef', '', '')`,
		`INSERT INTO record_manifest_metadata VALUES ('rec_1', 'job_1', 2, 'deed', '7/1998',
			'1998-05-02', 'أحمد;سعاد', '123456782', '12', '3', 'الرمال', 'Omar St', 'R1')`,
	} {
		if _, err := db.ExecContext(ctx, st); err != nil {
			t.Fatalf("%v\n%s", err, st)
		}
	}

	if err := archive.Migrate(ctx, db, dialect(t)); err != nil {
		t.Fatal(err)
	}
	s := archive.NewStore(db)
	got, err := s.RecordByID(ctx, "rec_1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Date != "1998-05-02" || got.Year != 1998 || !slices.Equal(got.Names,
		[]string{"أحمد", "سعاد"}) || got.Parcel != "12" || got.Street != "Omar St" ||
		got.Source != "R1" || got.Restricted {
		t.Errorf("migrated record: %+v", got)
	}
	if other, err := s.RecordByID(ctx, "rec_2"); err != nil || other.Date != "" ||
		other.Year != 0 || other.Names != nil {
		t.Errorf("record without a manifest: %+v, %v", other, err)
	}
}

func dialect(t *testing.T) string {
	if pgtest.Requested(t) {
		return "postgres"
	}
	return "sqlite"
}
