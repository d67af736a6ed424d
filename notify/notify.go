// Package notify tells people what happened to their account or their
// request: an SMS gateway or e-mail in production, behind one interface;
// in development an outbox in the database that a page can show.
package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/sijil-municipality/sijil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the outbox table in db up to date; dialect is
// sijil.DialectSQLite or sijil.DialectPostgres. It is safe to run at every
// start.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	return sijil.Migrate(ctx, db, dialect, "notify", migrations)
}

// Message is one notification to one person.
type Message struct {
	UserID  string // the account it concerns, for the outbox and logs
	To      string // a phone number or an e-mail address
	Subject string // a short line, in the person's language
	Body    string // the text; may hold a one-time code, so it is never logged
}

// Notifier sends a message. Callers are the domain packages (accounts for
// reset codes, requests for each step); Send returns kind Unavailable when
// the channel is down, so the caller can tell the person to try again.
type Notifier interface {
	Send(ctx context.Context, m Message) error
}

// Outbox is the development notifier: it keeps every message in the
// database for /dev/outbox and logs that one was sent, without its body.
type Outbox struct {
	DB  *sql.DB
	Log *slog.Logger
}

// Sent is a message as the outbox keeps it.
type Sent struct {
	ID string
	At time.Time
	Message
}

// outboxLayout stores times in UTC at a fixed width, so text order is time
// order.
const outboxLayout = "2006-01-02T15:04:05.000000Z"

// Send keeps m in the outbox.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	id := newMessageID()
	at := time.Now().UTC().Format(outboxLayout)
	_, err := o.DB.ExecContext(ctx, `INSERT INTO notify_outbox
		(id, at, user_id, to_addr, subject, body) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, at, m.UserID, m.To, m.Subject, m.Body)
	if err != nil {
		return fmt.Errorf("notify: keep message in outbox: %w", err)
	}
	if o.Log != nil {
		// The body may hold a one-time code and the address is personal:
		// the log names only the account and where to read the message.
		o.Log.Info("notification kept in the development outbox", "message_id", id,
			"user_id", m.UserID)
	}
	return nil
}

// newMessageID names one message in the outbox, the gateway and the logs.
func newMessageID() string {
	var b [12]byte
	rand.Read(b[:])
	return "msg_" + hex.EncodeToString(b[:])
}

// Latest returns up to limit messages, newest first.
func (o *Outbox) Latest(ctx context.Context, limit int) ([]Sent, error) {
	rows, err := o.DB.QueryContext(ctx, `SELECT id, at, user_id, to_addr, subject, body
		FROM notify_outbox ORDER BY at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("notify: read outbox: %w", err)
	}
	defer rows.Close()
	var out []Sent
	for rows.Next() {
		var s Sent
		var at string
		if err := rows.Scan(&s.ID, &at, &s.UserID, &s.To, &s.Subject, &s.Body); err != nil {
			return nil, fmt.Errorf("notify: read outbox: %w", err)
		}
		if s.At, err = time.Parse(outboxLayout, at); err != nil {
			return nil, fmt.Errorf("notify: outbox time %q: %w", at, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notify: read outbox: %w", err)
	}
	return out, nil
}

// Log is a notifier for a server with no gateway configured: it records
// that a message could not be delivered, and fails, so that nobody waits
// for a code that will never come. Gateway is the channel to configure.
type Log struct{ Log *slog.Logger }

// Send refuses with kind Unavailable.
func (l Log) Send(ctx context.Context, m Message) error {
	l.Log.Warn("no notification channel is configured; message dropped", "user_id", m.UserID)
	return errGatewayDown
}
