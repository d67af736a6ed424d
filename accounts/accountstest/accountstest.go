// Package accountstest gives tests a real accounts service on a fresh
// SQLite database, with a clock they can move and the development outbox
// as its notifier.
package accountstest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the embedded database, as sijil serve uses it

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/notify"
)

// Env is a service with what a test needs to reach behind it.
type Env struct {
	DB       *sql.DB
	Accounts *accounts.Service
	Outbox   *notify.Outbox
	Clock    *Clock
}

// New opens a fresh database in t's temporary folder, migrates the
// accounts and notify tables, and returns the service.
func New(t testing.TB) Env {
	t.Helper()
	db := OpenDB(t)
	return NewOn(t, db)
}

// OpenDB opens a fresh database with the accounts and notify tables,
// closed when t ends: SQLite, or PostgreSQL under pgtest.Rerun. Other
// domains may migrate theirs into it.
func OpenDB(t testing.TB) *sql.DB {
	t.Helper()
	if pgtest.Requested(t) {
		db := pgtest.Open(t)
		migrate(t, db, sijil.DialectPostgres)
		return db
	}
	dsn := "file:" + filepath.Join(t.TempDir(), "sijil.db") +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db, sijil.DialectSQLite)
	return db
}

func migrate(t testing.TB, db *sql.DB, dialect string) {
	t.Helper()
	ctx := context.Background()
	if err := accounts.Migrate(ctx, db, dialect); err != nil {
		t.Fatal(err)
	}
	if err := notify.Migrate(ctx, db, dialect); err != nil {
		t.Fatal(err)
	}
}

// NewOn returns a service on db, which must have the accounts tables.
func NewOn(t testing.TB, db *sql.DB) Env {
	t.Helper()
	clock := &Clock{t: time.Now().UTC()}
	outbox := &notify.Outbox{DB: db}
	svc, err := accounts.New(accounts.Config{DB: db, Secret: make([]byte, 32),
		Notifier: outbox, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return Env{DB: db, Accounts: svc, Outbox: outbox, Clock: clock}
}

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Citizen registers a citizen with a valid national ID derived from n, so
// that each n gives a different one, and returns the user and password.
func (e Env) Citizen(t testing.TB, n int) (accounts.User, string) {
	t.Helper()
	u, err := e.Accounts.Register(context.Background(), accounts.Registration{
		NationalID: NationalID(n), FullName: "مواطن تجريبي", Phone: "0599000100",
		Password: CitizenPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u, CitizenPassword
}

// CitizenPassword is the password of every citizen Citizen registers, so
// that a test can sign one in again.
const CitizenPassword = "citizen-pass-1"

// Staff creates a staff member with roles and returns the account; its
// current TOTP code comes from Code. Its initial password may stay, so
// that tests reach the pages behind sign-in at once.
func (e Env) Staff(t testing.TB, login string, roles ...string) accounts.StaffCreated {
	t.Helper()
	c, err := e.Accounts.AddStaff(context.Background(), accounts.NewStaff{Login: login,
		FullName: "Staff " + login, Roles: roles, KeepPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Code returns the staff member's TOTP code for the clock's current time
// plus offset steps of 30 seconds.
func (e Env) Code(t testing.TB, c accounts.StaffCreated, offset int) string {
	t.Helper()
	code, err := accounts.TOTPCode(c.TOTP.Secret(),
		e.Clock.Now().Add(time.Duration(offset)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// NationalID returns a valid 9-digit national ID made from n (0 ≤ n <
// 10^8): n's eight digits and the Luhn check digit.
func NationalID(n int) string {
	body := fmt.Sprintf("%08d", n%100_000_000)
	sum := 0
	for i := 0; i < 8; i++ {
		d := int(body[i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}
