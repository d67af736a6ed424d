// Package audit keeps the record of what people did in Sijil: every view of
// a citizen's request or of a restricted record, every decision, every
// import, with who did it, in which role, on what and when. The record is
// append-only, and each row carries a hash chained to the one before, so
// that a row deleted or edited afterwards is found by Verify.
package audit

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the audit tables in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. It is safe to run at every
// start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "audit", migrations)
}

// Queryer is a database or a transaction: *sql.DB and *sql.Tx are both
// one.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Event is one action a person took. Seq and Hash are set by Append.
type Event struct {
	Seq        int64     // position in the chain, from 1
	At         time.Time // when; Append uses the current time if zero
	ActorID    string    // the person's account id, never a national ID
	ActorRole  string    // the role they acted in: citizen, clerk, admin…
	Action     string    // what they did, dotted: "request.view", "cert.approve"
	ObjectKind string    // what they did it to: "request", "record"…
	ObjectID   string    // which one; may be empty for an action on a kind
	RequestID  string    // the HTTP request id, to find the matching log lines
	Detail     string    // optional words for the admin; never a secret
	Hash       string    // SHA-256 (hex) of this event chained to the previous
}

// Limits on the fields, so that one event stays a small row.
const (
	maxIDLen     = 200
	maxDetailLen = 2000
)

// token is the shape of a role, an action and an object kind: lower case,
// words joined by '_' or '.'.
var token = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// nationalIDLike finds a run of nine digits, the shape of a national ID.
var nationalIDLike = regexp.MustCompile(`[0-9٠-٩۰-۹]{9,}`)

// check refuses an event that would be useless or harmful in the record:
// no actor or action, free text where a token belongs, or a national ID in
// clear in the detail.
func (e Event) check() error {
	bad := func(format string, args ...any) error {
		return sijil.Errorf(sijil.Invalid, "audit.invalid_event", "audit event: "+format, args...)
	}
	switch {
	case e.ActorID == "" || len(e.ActorID) > maxIDLen:
		return bad("the actor id must be 1 to %d bytes", maxIDLen)
	case !token.MatchString(e.ActorRole):
		return bad("the actor role %q is not a lower-case token", e.ActorRole)
	case !token.MatchString(e.Action):
		return bad("the action %q is not a dotted lower-case token", e.Action)
	case e.ObjectKind != "" && !token.MatchString(e.ObjectKind):
		return bad("the object kind %q is not a lower-case token", e.ObjectKind)
	case e.ObjectID != "" && e.ObjectKind == "":
		return bad("an object id needs an object kind")
	case len(e.ObjectID) > maxIDLen || len(e.RequestID) > maxIDLen:
		return bad("the object and request ids must be at most %d bytes", maxIDLen)
	case len(e.Detail) > maxDetailLen:
		return bad("the detail must be at most %d bytes", maxDetailLen)
	}
	for _, s := range []string{e.ActorID, e.ObjectID, e.RequestID, e.Detail} {
		if !utf8.ValidString(s) {
			return bad("a field is not valid UTF-8")
		}
	}
	// The audit trail is read by admins and kept for years: a national ID
	// there would be one more copy in clear. Name the citizen's account.
	for _, run := range nationalIDLike.FindAllString(e.Detail, -1) {
		if sijil.ValidNationalID(run) {
			return bad("the detail holds what looks like a national ID; name the account instead")
		}
	}
	return nil
}

// Append adds e at the end of the chain and returns it with Seq, At and
// Hash set. Given a transaction, it writes in it, so that the event commits
// or rolls back with the action it records; given a *sql.DB, it commits on
// its own. A malformed event is refused with kind Invalid.
//
// Appends are serialised on the chain's head row, whose lock lasts until
// the caller's transaction ends: keep that transaction short after Append.
// In SQLite, Append should be the transaction's first write or follow one,
// as for every writer under SQLite's single-writer lock.
func Append(ctx context.Context, q Queryer, e Event) (Event, error) {
	if err := e.check(); err != nil {
		return Event{}, err
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	// The chain hashes the time as stored, which keeps microseconds.
	e.At = e.At.UTC().Truncate(time.Microsecond)

	db, ok := q.(*sql.DB)
	if !ok {
		return appendIn(ctx, q, e)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Event{}, fmt.Errorf("audit: begin: %w", err)
	}
	defer tx.Rollback()
	if e, err = appendIn(ctx, tx, e); err != nil {
		return Event{}, err
	}
	if err := tx.Commit(); err != nil {
		return Event{}, fmt.Errorf("audit: commit: %w", err)
	}
	return e, nil
}

// appendIn claims the next number on the head row, chains e to the head's
// hash, writes the row and moves the head.
func appendIn(ctx context.Context, q Queryer, e Event) (Event, error) {
	// The head's update comes first: it takes the lock that serialises
	// appenders, and returns the previous hash under that lock.
	var prev string
	err := q.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1
		RETURNING seq, hash`).Scan(&e.Seq, &prev)
	if err != nil {
		return Event{}, fmt.Errorf("audit: claim the next event number: %w", err)
	}
	at := formatAt(e.At)
	e.Hash = chainHash(prev, at, e)

	_, err = q.ExecContext(ctx, `INSERT INTO audit_events (seq, at, actor_id, actor_role,
		action, object_kind, object_id, request_id, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, at, e.ActorID, e.ActorRole, e.Action, e.ObjectKind, e.ObjectID,
		e.RequestID, e.Detail, prev, e.Hash)
	if err != nil {
		return Event{}, fmt.Errorf("audit: append event %d: %w", e.Seq, err)
	}
	_, err = q.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash)
	if err != nil {
		return Event{}, fmt.Errorf("audit: move the head to event %d: %w", e.Seq, err)
	}
	return e, nil
}

// atLayout stores times in UTC at a fixed width, so that comparing the
// text compares the times.
const atLayout = "2006-01-02T15:04:05.000000Z"

func formatAt(t time.Time) string { return t.UTC().Format(atLayout) }

func parseAt(s string) (time.Time, error) { return time.Parse(atLayout, s) }
