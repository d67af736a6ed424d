package main_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// runSijil runs the binary and returns its exit code and outputs.
func runSijil(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(sijilBin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("sijil %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// The admin imports the billing snapshot from the console, as exported on
// a Windows office PC (byte order mark, CRLF, Arabic names); a broken
// export is refused line by line and the live snapshot stays.
func TestImportSubscriptionsThroughTheBinary(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		data := t.TempDir()
		// A data folder as 'sijil serve' leaves it; import makes none, so
		// that a mistyped --data is refused rather than filled.
		if err := os.WriteFile(filepath.Join(data, "sijil.db"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", filepath.Join(data, "sijil.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		importThroughTheBinary(t, data, db)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dbURL := pgtest.URL(t)
		t.Setenv("SIJIL_DATABASE_URL", dbURL)
		db, err := sql.Open(pgtest.Driver, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		importThroughTheBinary(t, t.TempDir(), db)
	})
}

func importThroughTheBinary(t *testing.T, data string, db *sql.DB) {
	work := t.TempDir()
	citizen, other := accountstest.NationalID(4242), accountstest.NationalID(4343)
	good := filepath.Join(work, "billing-2026-11.csv")
	writeFile(t, good, "\uFEFFnational_id,account_number,service,address,status,balance,"+
		"last_payment_date,last_payment_amount\r\n"+
		citizen+",W-1,مياه,حي الزيتون 12,فعال,١٢٥٠٫٥٠,2026-10-01,300\r\n"+
		citizen+",CL-7,craft_licence,\"Souq street 4, shop 2\",active,0,,\r\n"+
		other+",W-2,water,Old city 9,suspended,-20.05,2025-12-31,0.75\r\n")

	// Flags after the file, as the usage line writes them.
	code, out, errOut := runSijil(t, "import", "subscriptions", good, "--data", data,
		"--by", "admin-rana")
	if code != 0 || !strings.Contains(out, "Imported 3 accounts from billing-2026-11.csv") {
		t.Fatalf("import: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	noNationalIDs(t, errOut, citizen, other)
	store := openSubscriptions(t, data, db)
	want := "W-1 water حي الزيتون 12 active 1250.50 | CL-7 craft_licence Souq street 4, shop 2 " +
		"active 0.00"
	if got := describe(t, store, citizen); got != want {
		t.Errorf("the citizen's accounts after the import:\n got %s\nwant %s", got, want)
	}
	sn, err := store.Snapshot(context.Background())
	if err != nil || sn.Rows != 3 || sn.ImportedBy != "admin-rana" {
		t.Errorf("snapshot %+v, %v", sn, err)
	}

	bad := filepath.Join(work, "billing-2026-12.csv")
	writeFile(t, bad, "national_id,account_number,service,address,status,balance,"+
		"last_payment_date,last_payment_amount\n"+
		citizen+",W-1,water,حي الزيتون 12,active,10,2026-12-01,1240.50\n"+
		citizen+",CL-7,electricity,Souq street 4,active,0,,\n"+
		other[:8]+string('0'+(other[8]-'0'+1)%10)+",W-2,water,Old city 9,active,1.234,,\n")
	code, out, errOut = runSijil(t, "import", "subscriptions", "--data", data, bad)
	if code != 1 || out != "" {
		t.Errorf("a bad file: exit %d, stdout %q; want 1 and nothing imported", code, out)
	}
	for _, line := range []string{"2 of 3 lines are wrong", `line 3, service: "electricity"`,
		"line 4, national_id: is not a national ID", `line 4, balance: "1.234"`} {
		if !strings.Contains(errOut, line) {
			t.Errorf("the refusal does not say %q:\n%s", line, errOut)
		}
	}
	noNationalIDs(t, errOut, citizen, other)
	if got := describe(t, store, citizen); got != want {
		t.Errorf("a refused import changed the citizen's accounts:\n got %s\nwant %s", got, want)
	}

	for _, tt := range []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no file", []string{"import", "subscriptions", "--data", data}, 2, "FILE.csv"},
		{"two files", []string{"import", "subscriptions", good, bad, "--data", data}, 2,
			"exactly one"},
		{"what to import", []string{"import", "bills", good}, 2, "import subscriptions"},
		{"missing file", []string{"import", "subscriptions", filepath.Join(work, "none.csv"),
			"--data", data}, 1, "cannot read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runSijil(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("exit %d, want %d; stderr should say %q:\n%s", code, tt.code,
					tt.inStderr, errOut)
			}
		})
	}
}

// openSubscriptions reads the snapshot the binary wrote, with the secret it
// hashed the national IDs under.
func openSubscriptions(t *testing.T, data string, db *sql.DB) *subscriptions.Store {
	t.Helper()
	secret, created, err := accounts.LoadOrCreateSecret(
		filepath.Join(data, "keys", "accounts.key"))
	if err != nil || created {
		t.Fatalf("the import left no accounts secret (created %v): %v", created, err)
	}
	s, err := subscriptions.New(subscriptions.Config{DB: db, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func describe(t *testing.T, s *subscriptions.Store, nationalID string) string {
	t.Helper()
	accs, err := s.ByNationalID(context.Background(), nationalID)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, a := range accs {
		parts = append(parts, strings.Join([]string{a.AccountNumber, a.Service, a.Address,
			a.Status, a.Balance.String()}, " "))
	}
	return strings.Join(parts, " | ")
}

func noNationalIDs(t *testing.T, output string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if strings.Contains(output, id) || strings.Contains(output, id[:8]) {
			t.Errorf("the output shows a national ID:\n%s", output)
		}
	}
}
