// Package accounts keeps the people who sign in to Sijil: citizens, who
// register with their national ID, and staff, whom an admin creates with
// roles and a second factor. It checks passwords, opens and ends sessions,
// and resets forgotten passwords with one-time codes.
package accounts

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/notify"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the accounts tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. It is safe to run at every
// start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "accounts", migrations)
}

// The staff roles. A person may hold several; none implies another, so
// that an admin who manages accounts does not also approve certificates.
const (
	RoleClerk      = "clerk"      // works the request queue, drafts certificates
	RoleSupervisor = "supervisor" // approves drafts, revokes and supersedes
	RoleArchivist  = "archivist"  // imports scans and fixes their metadata
	RoleAdmin      = "admin"      // staff accounts, keys, billing imports
)

// RoleCitizen is the role a citizen acts in, for audit records; it is not
// a staff role.
const RoleCitizen = "citizen"

// StaffRoles lists the staff roles in the order pages show them.
var StaffRoles = []string{RoleClerk, RoleSupervisor, RoleArchivist, RoleAdmin}

// The kinds of account.
const (
	KindCitizen = "citizen"
	KindStaff   = "staff"
)

// User is a person who can sign in. NationalID is in clear in memory only:
// never log it; show Masked() instead.
type User struct {
	ID         string
	Kind       string // KindCitizen or KindStaff
	Login      string // staff sign-in name; empty for citizens
	NationalID string // citizens only
	FullName   string
	Phone      string
	Roles      []string // staff only, sorted
	CreatedAt  time.Time

	// MustChangePassword is set while the password is one an admin chose:
	// no page but the password form opens until it is changed.
	MustChangePassword bool
}

// IsStaff reports whether u is a staff account.
func (u User) IsStaff() bool { return u.Kind == KindStaff }

// IsCitizen reports whether u is a citizen's account.
func (u User) IsCitizen() bool { return u.Kind == KindCitizen }

// Has reports whether u is staff holding role.
func (u User) Has(role string) bool { return u.IsStaff() && slices.Contains(u.Roles, role) }

// HasAny reports whether u is staff holding at least one of roles.
func (u User) HasAny(roles ...string) bool {
	return slices.ContainsFunc(roles, u.Has)
}

// Role names the role u acts in for an audit record: "citizen", or the
// staff member's roles joined by '_' in sorted order ("clerk_supervisor").
func (u User) Role() string {
	if u.IsCitizen() {
		return RoleCitizen
	}
	return strings.Join(u.Roles, "_")
}

// Masked shows a national ID as a page may (sijil.MaskNationalID).
func (u User) Masked() string { return sijil.MaskNationalID(u.NationalID) }

// Service is the accounts of one database. Build it with New.
type Service struct {
	db       *sql.DB
	notifier notify.Notifier
	log      *slog.Logger
	now      func() time.Time
	macKey   []byte // keyed hashes of national IDs and reset codes
	encKey   []byte // encryption of national IDs
	policy   Policy
}

// Config is what a Service needs.
type Config struct {
	DB *sql.DB

	// Secret is at least 32 random bytes kept outside the database (see
	// LoadOrCreateSecret): the keys for national IDs and reset codes are
	// derived from it, so losing it loses the ability to find citizens.
	Secret []byte

	// Notifier carries password-reset codes to the citizen.
	Notifier notify.Notifier

	// Now is the clock; time.Now when nil. Tests move it.
	Now func() time.Time

	// Policy overrides the default timings when its fields are set.
	Policy Policy

	Logger *slog.Logger
}

// Policy is how long things last and how often they may be tried.
type Policy struct {
	CitizenIdle     time.Duration // a citizen's session ends after this long unused
	StaffIdle       time.Duration // a staff session ends sooner: office PCs are shared
	SessionLifetime time.Duration // every session ends after this long, used or not
	ResetCodeTTL    time.Duration // a reset code works for this long
	ResetAttempts   int           // wrong codes before a code is thrown away
	ResetResend     time.Duration // no second code sooner than this
}

// DefaultPolicy is the policy of a Service whose Config sets none.
var DefaultPolicy = Policy{
	CitizenIdle:     2 * time.Hour,
	StaffIdle:       30 * time.Minute,
	SessionLifetime: 12 * time.Hour,
	ResetCodeTTL:    10 * time.Minute,
	ResetAttempts:   5,
	ResetResend:     time.Minute,
}

// New derives the service's keys from cfg.Secret and returns the service.
func New(cfg Config) (*Service, error) {
	if len(cfg.Secret) < 32 {
		return nil, fmt.Errorf("accounts: the secret must be at least 32 bytes")
	}
	if cfg.DB == nil || cfg.Notifier == nil {
		return nil, fmt.Errorf("accounts: a database and a notifier are required")
	}
	s := &Service{db: cfg.DB, notifier: cfg.Notifier, log: cfg.Logger, now: cfg.Now,
		policy: DefaultPolicy}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.policy.merge(cfg.Policy)

	// Separate keys per use, so that a keyed hash of one kind can never be
	// passed off as another.
	var err error
	if s.macKey, err = hkdf.Key(sha256.New, cfg.Secret, nil, "sijil accounts mac", 32); err != nil {
		return nil, fmt.Errorf("accounts: derive keys: %w", err)
	}
	if s.encKey, err = hkdf.Key(sha256.New, cfg.Secret, nil, "sijil accounts enc", 32); err != nil {
		return nil, fmt.Errorf("accounts: derive keys: %w", err)
	}
	return s, nil
}

func (p *Policy) merge(o Policy) {
	set := func(d *time.Duration, v time.Duration) {
		if v > 0 {
			*d = v
		}
	}
	set(&p.CitizenIdle, o.CitizenIdle)
	set(&p.StaffIdle, o.StaffIdle)
	set(&p.SessionLifetime, o.SessionLifetime)
	set(&p.ResetCodeTTL, o.ResetCodeTTL)
	set(&p.ResetResend, o.ResetResend)
	if o.ResetAttempts > 0 {
		p.ResetAttempts = o.ResetAttempts
	}
}

// timeLayout stores times in UTC at a fixed width, so text order is time
// order in both databases.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }
