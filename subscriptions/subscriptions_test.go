package subscriptions_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/subscriptions"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPostgres runs the store's tests again on PostgreSQL, the production
// database.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t, TestImportAndLookUp, TestImportRefusesBadLines, TestRefusalListsEveryBadLine,
		TestImportRefusesBadHeaders, TestImportAcceptsWhatExportsWrite,
		TestImportReplacesTheSnapshot, TestNationalIDIsNeverStoredInClear)
}

var secret = []byte("0123456789abcdef0123456789abcdef")

var t0 = time.Date(2026, 11, 2, 8, 30, 0, 0, time.UTC)

// openStore returns a store on a fresh migrated database: PostgreSQL under
// TestPostgres, else a SQLite file opened as the app opens it.
func openStore(t *testing.T) (*subscriptions.Store, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	dialect := sijil.DialectSQLite
	if pgtest.Requested(t) {
		db, dialect = pgtest.Open(t), sijil.DialectPostgres
	} else {
		dsn := "file:" + filepath.Join(t.TempDir(), "sijil.db") +
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"
		var err error
		if db, err = sql.Open("sqlite", dsn); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	}
	if err := subscriptions.Migrate(ctx, db, dialect); err != nil {
		t.Fatal(err)
	}
	s, err := subscriptions.New(subscriptions.Config{DB: db, Secret: secret,
		Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

// Citizens of the tests.
var (
	ahmad  = accountstest.NationalID(1001)
	huda   = accountstest.NationalID(1002)
	nobody = accountstest.NationalID(1003)
)

const header = "national_id,account_number,service,address,status,balance," +
	"last_payment_date,last_payment_amount\n"

// goodFile has Ahmad's three accounts out of service order, one never
// paid, and one of Huda's.
var goodFile = header +
	ahmad + ",CL-77,craft_licence,\"Souq street 4, shop 2\",active,0,2026-01-15,150.00\n" +
	ahmad + ",W-1001,water,Hay al-Zaytoun 12,active,1250.5,2026-10-01,300\n" +
	huda + ",W-2002,water,Old city 9,suspended,-20.05,2025-12-31,0.75\n" +
	ahmad + ",SW-9,solid_waste,Hay al-Zaytoun 12,closed,12.34,,\n"

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

var ahmadsAccounts = []subscriptions.Account{
	{AccountNumber: "W-1001", Service: "water", Address: "Hay al-Zaytoun 12", Status: "active",
		Balance: 125050, LastPayment: &subscriptions.Payment{Date: day("2026-10-01"),
			Amount: 30000}},
	{AccountNumber: "SW-9", Service: "solid_waste", Address: "Hay al-Zaytoun 12",
		Status: "closed", Balance: 1234},
	{AccountNumber: "CL-77", Service: "craft_licence", Address: "Souq street 4, shop 2",
		Status: "active", Balance: 0, LastPayment: &subscriptions.Payment{
			Date: day("2026-01-15"), Amount: 15000}},
}

func mustImport(t *testing.T, s *subscriptions.Store, file string) subscriptions.Snapshot {
	t.Helper()
	sn, err := s.Import(context.Background(), strings.NewReader(file), "admin-rana")
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return sn
}

func accountsOf(t *testing.T, s *subscriptions.Store, id string) []subscriptions.Account {
	t.Helper()
	got, err := s.ByNationalID(context.Background(), id)
	if err != nil {
		t.Fatalf("ByNationalID: %v", err)
	}
	return got
}

func TestImportAndLookUp(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	if _, err := s.Snapshot(ctx); sijil.KindOf(err) != sijil.NotFound {
		t.Fatalf("Snapshot before any import: %v, want NotFound", err)
	}

	sn := mustImport(t, s, goodFile)
	sum := sha256.Sum256([]byte(goodFile))
	want := subscriptions.Snapshot{ID: sn.ID, ImportedAt: t0, ImportedBy: "admin-rana", Rows: 4,
		SHA256: hex.EncodeToString(sum[:])}
	if diff := diff(want, sn); diff != "" {
		t.Errorf("Import returned (-want +got):\n%s", diff)
	}
	if got, err := s.Snapshot(ctx); err != nil || !reflect.DeepEqual(want, got) {
		t.Errorf("Snapshot = %+v, %v; want %+v", got, err, want)
	}

	if diff := diff(ahmadsAccounts, accountsOf(t, s, ahmad)); diff != "" {
		t.Errorf("Ahmad's accounts (-want +got):\n%s", diff)
	}
	// Citizens type their ID in Arabic-Indic digits as often as not.
	if diff := diff(ahmadsAccounts, accountsOf(t, s, arabicDigits(ahmad))); diff != "" {
		t.Errorf("Ahmad's accounts by an Arabic-Indic ID (-want +got):\n%s", diff)
	}
	hudas := accountsOf(t, s, huda)
	if len(hudas) != 1 || hudas[0].Balance.String() != "-20.05" ||
		hudas[0].LastPayment.Amount.String() != "0.75" {
		t.Errorf("Huda's accounts = %+v, want W-2002 with a credit of 20.05", hudas)
	}
	if got := accountsOf(t, s, nobody); len(got) != 0 {
		t.Errorf("a citizen with no account got %+v", got)
	}
	if _, err := s.ByNationalID(ctx, "123456789"); sijil.KindOf(err) != sijil.Invalid {
		t.Errorf("ByNationalID with a bad check digit: %v, want Invalid", err)
	}
}

func arabicDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '٠' + (r - '0')
		}
		return r
	}, s)
}

// refused imports file, expects the refusal with key, and checks that the
// snapshot imported before is still the live one, untouched.
func refused(t *testing.T, s *subscriptions.Store, before subscriptions.Snapshot, file,
	key string) error {
	t.Helper()
	_, err := s.Import(context.Background(), strings.NewReader(file), "admin-rana")
	var se *sijil.Error
	if !errors.As(err, &se) || se.Kind != sijil.Invalid || se.Key != key {
		t.Fatalf("import: %v, want Invalid %s", err, key)
	}
	if sn, err := s.Snapshot(context.Background()); err != nil || sn != before {
		t.Errorf("after a refused import the snapshot is %+v, %v; want %+v", sn, err, before)
	}
	if diff := diff(ahmadsAccounts, accountsOf(t, s, ahmad)); diff != "" {
		t.Errorf("after a refused import Ahmad's accounts changed (-want +got):\n%s", diff)
	}
	return err
}

func TestImportRefusesBadLines(t *testing.T) {
	s, _ := openStore(t)
	before := mustImport(t, s, goodFile)
	fine := huda + ",X-1,water,Old city 9,active,10,2026-01-01,5\n"
	bad := func(f string) string { return strings.Replace(fine, "X-1", "X-2", 1) + f }

	for _, tt := range []struct {
		name, line, column, key string
	}{
		{"check digit", strings.Replace(fine, huda, huda[:8]+string('0'+(huda[8]-'0'+1)%10), 1),
			"national_id", "subscriptions.bad_national_id"},
		{"eight digits", strings.Replace(fine, huda, huda[:8], 1),
			"national_id", "subscriptions.bad_national_id"},
		{"no national id", strings.Replace(fine, huda, "", 1),
			"national_id", "subscriptions.empty_field"},
		{"no account number", strings.Replace(fine, "X-1", " ", 1),
			"account_number", "subscriptions.empty_field"},
		{"space in account number", strings.Replace(fine, "X-1", "X 1", 1),
			"account_number", "subscriptions.bad_account_number"},
		{"unknown service", strings.Replace(fine, "water", "electricity", 1),
			"service", "subscriptions.bad_service"},
		{"no address", strings.Replace(fine, "Old city 9", "", 1),
			"address", "subscriptions.empty_field"},
		{"address too long", strings.Replace(fine, "Old city 9", strings.Repeat("ب", 301), 1),
			"address", "subscriptions.too_long"},
		{"address not UTF-8", strings.Replace(fine, "Old city 9", "Old \xe9city", 1),
			"address", "subscriptions.bad_encoding"},
		{"unknown status", strings.Replace(fine, "active", "paused", 1),
			"status", "subscriptions.bad_status"},
		{"three decimals", strings.Replace(fine, ",10,", ",10.005,", 1),
			"balance", "subscriptions.bad_amount"},
		{"thousands separator", strings.Replace(fine, ",10,", ",\"1,250\",", 1),
			"balance", "subscriptions.bad_amount"},
		{"exponent", strings.Replace(fine, ",10,", ",1e3,", 1),
			"balance", "subscriptions.bad_amount"},
		{"point without decimals", strings.Replace(fine, ",10,", ",10.,", 1),
			"balance", "subscriptions.bad_amount"},
		{"no balance", strings.Replace(fine, ",10,", ",,", 1),
			"balance", "subscriptions.empty_field"},
		{"negative payment", strings.Replace(fine, ",5\n", ",-5\n", 1),
			"last_payment_amount", "subscriptions.bad_amount"},
		{"day first", strings.Replace(fine, "2026-01-01", "01/01/2026", 1),
			"last_payment_date", "subscriptions.bad_date"},
		{"no such day", strings.Replace(fine, "2026-01-01", "2026-02-30", 1),
			"last_payment_date", "subscriptions.bad_date"},
		{"date without amount", strings.Replace(fine, ",5\n", ",\n", 1),
			"", "subscriptions.payment_incomplete"},
		{"too few fields", strings.Replace(fine, ",5\n", "\n", 1),
			"", "subscriptions.field_count"},
		{"stray quote", strings.Replace(fine, "Old city 9", "Old \"city\" 9", 1),
			"", "subscriptions.bad_csv"},
		{"duplicate account number", strings.Replace(fine, "X-1", "W-2002", 1),
			"account_number", "subscriptions.duplicate_account"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The bad line is line 4: header, a good line, a line of Huda's
			// that the duplicate case repeats, then the bad one.
			file := header + bad("") + huda + ",W-2002,water,Old city 9,active,1,,\n" + tt.line
			err := refused(t, s, before, file, "subscriptions.bad_rows")
			var re *subscriptions.RowsError
			if !errors.As(err, &re) {
				t.Fatalf("the error does not carry the problems: %v", err)
			}
			want := []subscriptions.Problem{{Line: 4, Column: tt.column, Key: tt.key}}
			if diff := diffProblems(want, re.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nerror: %v", diff, err)
			}
			if strings.Contains(err.Error(), huda) {
				t.Errorf("the error shows a national ID: %v", err)
			}
		})
	}
}

// diffProblems compares problems without their English messages, which
// the test states only where it matters.
func diffProblems(want, got []subscriptions.Problem) string {
	bare := make([]subscriptions.Problem, len(got))
	for i, p := range got {
		p.Message = ""
		bare[i] = p
	}
	return diff(want, bare)
}

// diff shows want and got when they differ, payments spelled out.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("-want %s\n+got  %s", show(want), show(got))
}

func show(v any) string {
	if accs, ok := v.([]subscriptions.Account); ok {
		var parts []string
		for _, a := range accs {
			p := "never paid"
			if a.LastPayment != nil {
				p = a.LastPayment.Date.Format(time.DateOnly) + " " + a.LastPayment.Amount.String()
			}
			parts = append(parts, fmt.Sprintf("{%s %s %q %s %s %s}", a.AccountNumber,
				a.Service, a.Address, a.Status, a.Balance, p))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("%+v", v)
}

func TestRefusalListsEveryBadLine(t *testing.T) {
	s, _ := openStore(t)
	before := mustImport(t, s, goodFile)

	var b strings.Builder
	b.WriteString(header)
	for i := range 160 {
		switch {
		case i == 1: // line 3: two problems on one line
			fmt.Fprintf(&b, "%s,A-%d,gas,Street,open,1,,\n", huda, i)
		case i == 4 || i >= 10: // lines 6 and 12-161
			fmt.Fprintf(&b, "%s,A-%d,water,Street,active,one,,\n", huda, i)
		default:
			fmt.Fprintf(&b, "%s,A-%d,water,Street,active,1,,\n", huda, i)
		}
	}
	err := refused(t, s, before, b.String(), "subscriptions.bad_rows")
	var re *subscriptions.RowsError
	if !errors.As(err, &re) {
		t.Fatalf("the error does not carry the problems: %v", err)
	}
	if re.BadLines != 152 || len(re.Problems) != subscriptions.MaxProblems {
		t.Errorf("%d bad lines, %d problems; want 152 and %d", re.BadLines, len(re.Problems),
			subscriptions.MaxProblems)
	}
	want := []subscriptions.Problem{
		{Line: 3, Column: "service", Key: "subscriptions.bad_service"},
		{Line: 3, Column: "status", Key: "subscriptions.bad_status"},
		{Line: 6, Column: "balance", Key: "subscriptions.bad_amount"},
		{Line: 12, Column: "balance", Key: "subscriptions.bad_amount"},
	}
	if diff := diffProblems(want, re.Problems[:4]); diff != "" {
		t.Errorf("first problems (-want +got):\n%s", diff)
	}
	for _, s := range []string{"152 of 160 lines", "line 3, service: \"gas\"",
		"line 6, balance: \"one\"", "and 53 more lines"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the message lacks %q:\n%v", s, err)
		}
	}
}

func TestImportRefusesBadHeaders(t *testing.T) {
	s, _ := openStore(t)
	before := mustImport(t, s, goodFile)
	line := huda + ",W-9,water,Street,active,1,,\n"
	for _, tt := range []struct {
		name, file, key, says string
	}{
		{"empty file", "", "subscriptions.no_rows", "empty"},
		{"header only", header, "subscriptions.no_rows", "no accounts"},
		{"missing column", strings.Replace(header, ",status", "", 1) +
			strings.Replace(line, ",active", "", 1), "subscriptions.bad_header",
			"missing columns status"},
		{"unknown column", strings.Replace(header, "\n", ",notes\n", 1) +
			strings.Replace(line, "\n", ",x\n", 1), "subscriptions.bad_header",
			`unknown columns "notes"`},
		{"column twice", strings.Replace(header, "status", "balance", 1) + line,
			"subscriptions.bad_header", "columns named twice balance"},
		{"no header", line, "subscriptions.bad_header", "unknown columns"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := refused(t, s, before, tt.file, tt.key)
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("the message does not say %q: %v", tt.says, err)
			}
		})
	}
}

// Exports differ: column order, Arabic names and digits, a byte order
// mark, Windows line ends, spaces around fields. Each variant of the file
// gives Ahmad the same accounts.
func TestImportAcceptsWhatExportsWrite(t *testing.T) {
	s, _ := openStore(t)
	reordered := "status,balance,service,account_number,national_id,last_payment_amount," +
		"address,last_payment_date\n" +
		"active,1250.50,water,W-1001," + ahmad + ",300.00,Hay al-Zaytoun 12,2026-10-01\n" +
		"closed,12.34,solid_waste,SW-9," + ahmad + ",,Hay al-Zaytoun 12,\n" +
		"active,0,craft_licence,CL-77," + ahmad + ",150,\"Souq street 4, shop 2\",2026-01-15\n"
	arabic := header +
		arabicDigits(ahmad) + ",W-١٠٠١,مياه,Hay al-Zaytoun 12,فعال,١٢٥٠٫٥,٢٠٢٦-١٠-٠١,٣٠٠\n" +
		ahmad + ",SW-9,نفايات صلبة,Hay al-Zaytoun   12,مغلق,12.34,,\n" +
		ahmad + ",CL-77, رخصة حرفة ,\"Souq street 4, shop 2\",active,0,2026-01-15,150\n"
	for _, tt := range []struct{ name, file string }{
		{"columns in another order", reordered},
		{"Arabic names and digits", arabic},
		{"byte order mark", "\uFEFF" + goodFile},
		{"CRLF", strings.ReplaceAll(goodFile, "\n", "\r\n")},
		{"BOM, CRLF, capitals and spaces", "\uFEFF" + strings.ReplaceAll(
			strings.Replace(goodFile, "national_id,", " National_ID ,", 1), "\n", "\r\n")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mustImport(t, s, tt.file)
			if diff := diff(ahmadsAccounts, accountsOf(t, s, ahmad)); diff != "" {
				t.Errorf("Ahmad's accounts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImportReplacesTheSnapshot(t *testing.T) {
	s, _ := openStore(t)
	first := mustImport(t, s, goodFile)

	// The next month: Ahmad's water bill is paid, his other accounts left
	// the billing system, and Huda's account moved to another number.
	next := header +
		ahmad + ",W-1001,water,Hay al-Zaytoun 12,active,0,2026-11-20,1250.50\n" +
		huda + ",W-3003,water,Old city 9,active,5,,\n"
	second := mustImport(t, s, next)
	if second.ID == first.ID || second.Rows != 2 {
		t.Errorf("second snapshot %+v after %+v", second, first)
	}
	if sn, err := s.Snapshot(context.Background()); err != nil || sn != second {
		t.Errorf("Snapshot = %+v, %v; want the second import %+v", sn, err, second)
	}
	want := []subscriptions.Account{{AccountNumber: "W-1001", Service: "water",
		Address: "Hay al-Zaytoun 12", Status: "active", Balance: 0,
		LastPayment: &subscriptions.Payment{Date: day("2026-11-20"), Amount: 125050}}}
	if diff := diff(want, accountsOf(t, s, ahmad)); diff != "" {
		t.Errorf("Ahmad's accounts after the second import (-want +got):\n%s", diff)
	}
	if got := accountsOf(t, s, huda); len(got) != 1 || got[0].AccountNumber != "W-3003" {
		t.Errorf("Huda's accounts after the second import: %+v", got)
	}
}

func TestNationalIDIsNeverStoredInClear(t *testing.T) {
	s, db := openStore(t)
	mustImport(t, s, goodFile)
	rows, err := db.Query(`SELECT * FROM subscriptions_accounts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		dump := fmt.Sprint(vals...)
		for _, id := range []string{ahmad, huda} {
			if strings.Contains(dump, id) {
				t.Errorf("a national ID is in clear in the table: %s", dump)
			}
		}
		n++
	}
	if err := rows.Err(); err != nil || n != 4 {
		t.Fatalf("%d rows, %v", n, err)
	}
}
