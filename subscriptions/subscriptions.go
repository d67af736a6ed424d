// Package subscriptions keeps the billing system's snapshot of citizens'
// municipal accounts (water, wastewater, solid waste, craft licences), as
// an admin imports it from CSV, and answers a citizen's question "which
// accounts are tied to my national ID?".
//
// The snapshot is read-only here: the billing system stays the place where
// balances change. Each import replaces the whole snapshot at once.
package subscriptions

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the subscriptions tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. It is safe to run at every
// start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "subscriptions", migrations)
}

// The services a municipal account is for, as stored and as message keys
// name them ("subscriptions.service.water").
const (
	ServiceWater        = "water"
	ServiceWastewater   = "wastewater"
	ServiceSolidWaste   = "solid_waste"
	ServiceCraftLicence = "craft_licence"
)

// Services lists the services in the order a citizen's page shows them.
var Services = []string{ServiceWater, ServiceWastewater, ServiceSolidWaste, ServiceCraftLicence}

// The states of an account in the billing system ("subscriptions.status.active").
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusClosed    = "closed"
)

// Amount is a sum of money in hundredths of the currency unit, so that no
// balance is ever rounded on its way from the billing system to a page.
type Amount int64

// String writes the amount with two decimals, such as "-12.05".
func (a Amount) String() string {
	sign := ""
	u := uint64(a)
	if a < 0 {
		sign, u = "-", uint64(-a)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Account is one municipal account of a citizen, as of the last import.
type Account struct {
	AccountNumber string
	Service       string // one of Services
	Address       string
	Status        string // StatusActive, StatusSuspended or StatusClosed
	Balance       Amount // what the citizen owes; negative is a credit
	LastPayment   *Payment
}

// Payment is the last payment the billing system recorded on an account.
type Payment struct {
	Date   time.Time // the day, at midnight UTC
	Amount Amount
}

// Snapshot describes the import that is live.
type Snapshot struct {
	ID         string
	ImportedAt time.Time
	ImportedBy string // the admin's name as the import was given it
	Rows       int
	SHA256     string // of the imported file, in hex, to tell which file is live
}

// Store is the subscriptions of one database. Build it with New.
type Store struct {
	db     *sql.DB
	macKey []byte
	log    *slog.Logger
	now    func() time.Time
}

// Config is what a Store needs.
type Config struct {
	DB *sql.DB

	// Secret is the accounts secret (accounts.LoadOrCreateSecret): the key
	// under which national IDs are hashed is derived from it, so the
	// snapshot in the database alone reveals no ID.
	Secret []byte

	// Now is the clock; time.Now when nil.
	Now func() time.Time

	Logger *slog.Logger
}

// New returns the store of cfg.DB.
func New(cfg Config) (*Store, error) {
	if cfg.DB == nil {
		return nil, errors.New("subscriptions: no database")
	}
	if len(cfg.Secret) < 32 {
		return nil, errors.New("subscriptions: the secret must be at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, cfg.Secret, nil, "sijil subscriptions national id", 32)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: derive key: %w", err)
	}
	s := &Store{db: cfg.DB, macKey: key, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// nationalIDMAC is the keyed hash under which a normalised national ID is
// stored and looked up.
func (s *Store) nationalIDMAC(id string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// ByNationalID returns the accounts tied to a national ID in the live
// snapshot, ordered as Services lists them, then by account number. A
// citizen with no account gets an empty list, not an error; a malformed ID
// is Invalid.
func (s *Store) ByNationalID(ctx context.Context, nationalID string) ([]Account, error) {
	id := sijil.NormalizeDigits(strings.TrimSpace(nationalID))
	if !sijil.ValidNationalID(id) {
		return nil, sijil.Errorf(sijil.Invalid, "subscriptions.bad_national_id",
			"a national ID has 9 digits, the last of which is a check digit")
	}

	rows, err := s.db.QueryContext(ctx, `SELECT account_number, service, address, status,
		balance_minor, last_payment_date, last_payment_minor
		FROM subscriptions_accounts WHERE national_id_mac = $1`, s.nationalIDMAC(id))
	if err != nil {
		return nil, fmt.Errorf("subscriptions of a citizen: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var paidOn string
		var paid int64
		if err := rows.Scan(&a.AccountNumber, &a.Service, &a.Address, &a.Status,
			&a.Balance, &paidOn, &paid); err != nil {
			return nil, fmt.Errorf("subscriptions of a citizen: %w", err)
		}
		if paidOn != "" {
			day, err := time.Parse(time.DateOnly, paidOn)
			if err != nil {
				return nil, fmt.Errorf("account %s: stored payment date: %w", a.AccountNumber, err)
			}
			a.LastPayment = &Payment{Date: day, Amount: Amount(paid)}
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("subscriptions of a citizen: %w", err)
	}

	slices.SortFunc(out, func(a, b Account) int {
		if c := slices.Index(Services, a.Service) - slices.Index(Services, b.Service); c != 0 {
			return c
		}
		return strings.Compare(a.AccountNumber, b.AccountNumber)
	})
	return out, nil
}

// Snapshot describes the live import; NotFound when nothing was ever
// imported.
func (s *Store) Snapshot(ctx context.Context) (Snapshot, error) {
	var sn Snapshot
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT id, imported_at, imported_by, row_count,
		file_sha256 FROM subscriptions_imports ORDER BY seq DESC LIMIT 1`).
		Scan(&sn.ID, &at, &sn.ImportedBy, &sn.Rows, &sn.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, sijil.Errorf(sijil.NotFound, "subscriptions.no_snapshot",
			"no billing snapshot has been imported yet ('sijil import subscriptions FILE.csv')")
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("subscriptions snapshot: %w", err)
	}
	if sn.ImportedAt, err = time.Parse(timeLayout, at); err != nil {
		return Snapshot{}, fmt.Errorf("subscriptions snapshot %s: %w", sn.ID, err)
	}
	return sn, nil
}

// timeLayout stores times as fixed-width UTC text, so text order is time
// order on both databases.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }
