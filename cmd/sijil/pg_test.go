package main_test

import (
	"bytes"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
)

// TestPostgresThroughTheBinary runs a certificate's life on PostgreSQL, as
// production does: ingest, issue, verify on the command line and through
// the server, revoke, and verify again.
func TestPostgresThroughTheBinary(t *testing.T) {
	requireTools(t)
	dbURL := pgtest.URL(t)
	password, _ := mustParseURL(t, dbURL).User.Password()
	data, work := t.TempDir(), t.TempDir()
	scan := filepath.Join(work, "permit.pdf")
	writePermitScan(t, scan)

	// The flag, given once; the environment variable serves every later
	// command, the helpers' included.
	cmd := exec.Command(sijilBin, "ingest", "--data", data, "--database-url", dbURL,
		"--type", "building_permit", scan)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("sijil ingest --database-url: %v\n%s", err, stderr.String())
	}
	recordID := strings.Fields(stdout.String())[0]
	if !strings.Contains(stderr.String(), "dialect=postgres") {
		t.Errorf("ingest does not log that it uses PostgreSQL:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), password) {
		t.Errorf("ingest logged the database password:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(data, "sijil.db")); err == nil {
		t.Error("ingest made a SQLite file although it was given PostgreSQL")
	}
	if n := countRecords(t, dbURL); n != 1 {
		t.Fatalf("PostgreSQL holds %d records after one ingest, want 1", n)
	}
	t.Setenv("SIJIL_DATABASE_URL", dbURL)
	if again := sijil(t, 0, "ingest", "--data", data, scan); !strings.Contains(again,
		"already archived") {
		t.Errorf("re-ingest on PostgreSQL should be a no-op, got %q", again)
	}

	publicURL := "http://127.0.0.1:" + freePort(t)
	pdf := issueBuilding(t, data, work, publicURL, recordID)
	out := sijil(t, 0, "verify", "--data", data, pdf)
	if !strings.HasPrefix(out, "VALID") || !strings.Contains(out, "public log: entry 1 of") {
		t.Fatalf("verify --data of a certificate issued on PostgreSQL: %q", out)
	}
	number := certNumber(t, data, pdf)

	startServe(t, data, strings.TrimPrefix(publicURL, "http://127.0.0.1:"), publicURL)
	qrText := decodeQR(t, pdf, work)
	if res := getJSON(t, qrText); res["status"] != "valid" {
		t.Fatalf("verify API before revocation: want valid, got %v", res)
	}

	// Revoked from the command line while the server runs: both read the
	// one database, so the server knows at once.
	sijil(t, 0, "revoke", "--data", data, "--reason", "court_order", number)
	if out := sijil(t, 1, "verify", "--data", data, pdf); !strings.Contains(out, "REVOKED") {
		t.Errorf("verify --data of a revoked certificate: %q", out)
	}
	if res := getJSON(t, qrText); res["status"] != "revoked" {
		t.Errorf("verify API after revocation: want revoked, got %v", res)
	}
}

// TestDatabaseURLIsChecked: a wrong URL is refused with what to give, an
// unreachable server is named without its password.
func TestDatabaseURLIsChecked(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"not a URL", "host=db user=sijil", "must be a URL"},
		{"another database", "mysql://sijil:s3cret@db/sijil", "must be a URL"},
		{"unreachable", "postgres://sijil:s3cret@127.0.0.1:1/sijil",
			"cannot connect to the database at postgres://sijil:xxxxx@127.0.0.1:1/sijil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(sijilBin, "search", "--data", data, "--database-url", tc.url,
				"anything")
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("search with --database-url %q succeeded:\n%s", tc.url, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if strings.Contains(string(out), "s3cret") {
				t.Errorf("the password is in the output:\n%s", out)
			}
		})
	}
}

func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// countRecords counts the archive's records in the database behind dbURL.
func countRecords(t *testing.T, dbURL string) int {
	t.Helper()
	db, err := sql.Open(pgtest.Driver, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM records`).Scan(&n); err != nil {
		t.Fatalf("count records in PostgreSQL: %v", err)
	}
	return n
}
