// Package requests keeps what citizens ask of the municipality: requests
// for a certified copy, a building certificate or a craft certificate, and
// complaints and inquiries; and the office's work on them, from the
// clerk's review to the supervisor's approval that issues the certificate.
//
// Every method takes the Actor doing it. Citizens reach only their own
// requests and tickets: anyone else's answers NotFound, never Forbidden, so
// that reference numbers cannot be probed. Staff views and every decision
// are written to the audit trail in the same transaction as the change.
package requests

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the requests tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. The service also needs the
// audit tables (audit.Migrate).
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "requests", migrations)
}

// The roles an Actor may hold, spelled as accounts spells them.
const (
	RoleCitizen    = "citizen"
	RoleClerk      = "clerk"
	RoleSupervisor = "supervisor"
)

// The kinds of Actor.
const (
	ActorCitizen = "citizen"
	ActorStaff   = "staff"
)

// Actor is the person calling: the web layer builds it from the session's
// user, so that this package needs nothing of accounts or web.
type Actor struct {
	ID        string   // the account id
	Kind      string   // ActorCitizen or ActorStaff; anything else is refused
	Roles     []string // staff roles: clerk, supervisor, archivist, admin
	RequestID string   // the HTTP request id, for the audit trail
}

// Citizen returns the actor for a citizen's account.
func Citizen(id string) Actor { return Actor{ID: id, Kind: ActorCitizen} }

// Staff returns the actor for a staff account holding roles.
func Staff(id string, roles ...string) Actor {
	return Actor{ID: id, Kind: ActorStaff, Roles: roles}
}

// IsCitizen reports whether a is a citizen.
func (a Actor) IsCitizen() bool { return a.Kind == ActorCitizen && a.ID != "" }

// IsStaff reports whether a is a staff member.
func (a Actor) IsStaff() bool { return a.Kind == ActorStaff && a.ID != "" }

// Has reports whether a is staff holding role.
func (a Actor) Has(role string) bool { return a.IsStaff() && slices.Contains(a.Roles, role) }

// auditRole names the role a acted in, as the audit trail records it.
func (a Actor) auditRole() string {
	if a.IsCitizen() {
		return RoleCitizen
	}
	roles := slices.Clone(a.Roles)
	slices.Sort(roles)
	if len(roles) == 0 {
		return "staff"
	}
	return strings.Join(roles, "_")
}

// Notice is one message to a citizen about their request or ticket. Key
// names the text in the translation catalogs (see NoticeKeys); Params fill
// it in: always "ref", and "state", "note" where the step has them.
type Notice struct {
	UserID string
	Key    string
	Params map[string]string
}

// Notifier tells a citizen that their request or ticket moved. It is called
// after the change committed; a failure is logged and does not undo the
// step, since the timeline shows it anyway. cmd adapts the accounts' user
// (phone, language) and notify.Notifier to it.
type Notifier interface {
	Send(ctx context.Context, n Notice) error
}

// Config is what a Service needs.
type Config struct {
	DB       *sql.DB
	Blobs    Blobs    // supporting files, and the certificates' PDFs certs stored
	Issuer   Issuer   // issues the certificate an approval grants
	Notifier Notifier // tells citizens about each step
	Fees     Fees     // all zero: the service is free
	Logger   *slog.Logger
	Now      func() time.Time // the clock; time.Now when nil
}

// Service is the requests and tickets of one database. Build it with New.
type Service struct {
	db       *sql.DB
	blobs    Blobs
	issuer   Issuer
	notifier Notifier
	log      *slog.Logger
	now      func() time.Time
}

// New checks cfg and returns the service. A non-zero fee is refused: see
// Fees.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Blobs == nil || cfg.Issuer == nil || cfg.Notifier == nil {
		return nil, fmt.Errorf("requests: a database, blobs, an issuer and a notifier " +
			"are required")
	}
	if err := cfg.Fees.check(); err != nil {
		return nil, err
	}
	s := &Service{db: cfg.DB, blobs: cfg.Blobs, issuer: cfg.Issuer, notifier: cfg.Notifier,
		log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// timeLayout stores times in UTC at a fixed width, so text order is time
// order in both databases.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("requests: stored time %q: %w", s, err)
	}
	return t, nil
}

// clock returns the current time as stored: UTC, to the microsecond.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a transaction, committed if fn returns nil.
func (s *Service) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("requests: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("requests: commit: %w", err)
	}
	return nil
}

// notify sends n, logging a failure: the step it reports has committed.
func (s *Service) notify(ctx context.Context, n Notice) {
	if err := s.notifier.Send(ctx, n); err != nil {
		s.log.Warn("could not notify the citizen", "user_id", n.UserID,
			"notice", n.Key, "request_ref", n.Params["ref"], "error", err)
	}
}

// Fees is the fee of each kind of request, in the currency's smallest unit.
// The service is free: every fee must be zero.
type Fees map[Kind]int64

func (f Fees) check() error {
	for kind, fee := range f {
		if fee != 0 {
			// TODO(#5): charging fees needs a payment flow; until then a
			// fee is refused rather than silently ignored.
			return sijil.Errorf(sijil.Invalid, "requests.fees_not_supported",
				"a fee of %d for %s requests is set, but fees are not supported: "+
					"the service is free",
				fee, kind)
		}
	}
	return nil
}
