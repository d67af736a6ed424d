package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// Filter chooses events for an admin. Empty fields match everything;
// filled ones must all match.
type Filter struct {
	ActorID    string
	Action     string
	ObjectKind string
	ObjectID   string
	Since      time.Time // from this time on, if set
	Until      time.Time // before this time, if set

	// Before is the cursor: only events numbered below it, so that the
	// next page starts where Page.Next says. 0 starts from the newest.
	Before int64
	Limit  int // events per page; DefaultLimit if 0, at most MaxLimit
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page is one page of events, newest first. Next is the Before of the
// following page, or 0 when this one is the last.
type Page struct {
	Events []Event
	Next   int64
}

// eventColumns are read in the order scanEvent expects.
const eventColumns = `seq, at, actor_id, actor_role, action, object_kind, object_id,
	request_id, detail, hash`

// Find returns one page of the events that match f, newest first. A limit
// out of range or a time range that ends before it starts is refused with
// kind Invalid.
func Find(ctx context.Context, q Queryer, f Filter) (Page, error) {
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		return Page{}, sijil.Errorf(sijil.Invalid, "audit.limit",
			"ask for 1 to %d events per page", MaxLimit)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return Page{}, sijil.Errorf(sijil.Invalid, "audit.range",
			"the end of the time range must come after its start")
	}

	where, args := f.conditions()
	args = append(args, f.Limit+1)
	query := `SELECT ` + eventColumns + ` FROM audit_events` + where +
		` ORDER BY seq DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("audit: find events: %w", err)
	}
	defer rows.Close()

	var p Page
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return Page{}, err
		}
		p.Events = append(p.Events, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("audit: find events: %w", err)
	}
	// One row more than asked says there is a next page.
	if len(p.Events) > f.Limit {
		p.Events = p.Events[:f.Limit]
		p.Next = p.Events[f.Limit-1].Seq
	}
	return p, nil
}

// conditions returns the WHERE clause for f and its arguments.
func (f Filter) conditions() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, cond+" $"+strconv.Itoa(len(args)))
	}
	for _, c := range []struct{ col, val string }{
		{"actor_id", f.ActorID}, {"action", f.Action},
		{"object_kind", f.ObjectKind}, {"object_id", f.ObjectID},
	} {
		if c.val != "" {
			add(c.col+" =", c.val)
		}
	}
	if !f.Since.IsZero() {
		add("at >=", formatAt(f.Since))
	}
	if !f.Until.IsZero() {
		add("at <", formatAt(f.Until))
	}
	if f.Before > 0 {
		add("seq <", f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// scanEvent reads one row of eventColumns.
func scanEvent(rows *sql.Rows) (Event, error) {
	var e Event
	var at string
	err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorRole, &e.Action, &e.ObjectKind,
		&e.ObjectID, &e.RequestID, &e.Detail, &e.Hash)
	if err != nil {
		return Event{}, fmt.Errorf("audit: read an event: %w", err)
	}
	t, err := parseAt(at)
	if err != nil {
		return Event{}, fmt.Errorf("audit: event %d has a malformed time %q: %w", e.Seq, at, err)
	}
	e.At = t
	return e, nil
}
