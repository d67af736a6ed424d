package pgtest_test

import (
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Each test gets a database of its own: a table made in one is absent
// from the next.
func TestOpenGivesFreshDatabases(t *testing.T) {
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			db := pgtest.Open(t)
			var n int
			err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.tables
				WHERE table_name = 'marker'`).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("table marker left by an earlier test")
			}
			if _, err := db.Exec(`CREATE TABLE marker (s TEXT)`); err != nil {
				t.Fatal(err)
			}
			// Arabic must survive the round trip: the cluster is UTF-8.
			var got string
			err = db.QueryRow(`SELECT $1::text`, "سِجِلّ").Scan(&got)
			if err != nil || got != "سِجِلّ" {
				t.Fatalf("round trip of Arabic text: %q, %v", got, err)
			}
		})
	}
}

// The server checks the password, as a production one does.
func TestURLNeedsItsPassword(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("sijil", "wrong")
	db, err := sql.Open(pgtest.Driver, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("connecting with a wrong password: %v, want a password failure", err)
	}
}

func TestRedactHidesThePassword(t *testing.T) {
	got := pgtest.Redact("postgres://sijil:s3cret@127.0.0.1:5432/db?sslmode=disable")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "127.0.0.1:5432/db") {
		t.Fatalf("Redact = %q", got)
	}
}

// Rerun names each subtest after its function, and Requested is true in
// them only.
func TestPostgres(t *testing.T) {
	if pgtest.Requested(t) {
		t.Fatal("Requested is true in TestPostgres itself")
	}
	var ran []string
	record := func(t *testing.T) {
		if !pgtest.Requested(t) {
			t.Errorf("Requested is false in %s", t.Name())
		}
		ran = append(ran, t.Name())
	}
	pgtest.Rerun(t, record, TestRedactHidesThePassword)
	if len(ran) != 1 || !strings.HasPrefix(ran[0], "TestPostgres/") {
		t.Errorf("Rerun ran %v", ran)
	}
}
