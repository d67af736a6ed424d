package archive_test

import (
	"context"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

func TestMigrateTwice(t *testing.T) {
	db := openDB(t)
	if err := archive.Migrate(context.Background(), db, "sqlite"); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}

	var n int
	err := db.QueryRow(`SELECT COUNT(*) FROM archive_schema_version`).Scan(&n)
	if err != nil || n == 0 {
		t.Fatalf("archive_schema_version: %d rows, %v", n, err)
	}
}

func TestMigrateUnknownDialect(t *testing.T) {
	if err := archive.Migrate(context.Background(), openDB(t), "mysql"); err == nil {
		t.Fatal("Migrate accepted dialect mysql")
	}
}

func TestStoreNotFound(t *testing.T) {
	ctx := context.Background()
	s := archive.NewStore(openDB(t))

	_, err := s.RecordByID(ctx, "rec_0000000000000000")
	wantKind(t, err, sijil.NotFound, "archive.record_not_found")
	_, err = s.RecordBySHA256(ctx, "00")
	wantKind(t, err, sijil.NotFound, "archive.record_not_found")

	recs, err := s.Records(ctx, 10)
	if err != nil || len(recs) != 0 {
		t.Fatalf("Records = %v, %v; want none", recs, err)
	}
	pages, err := s.Pages(ctx, "rec_0000000000000000")
	if err != nil || len(pages) != 0 {
		t.Fatalf("Pages = %v, %v; want none", pages, err)
	}
}
