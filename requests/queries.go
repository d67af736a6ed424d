package requests

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// Summary is a request as a list shows it: no form, no draft.
type Summary struct {
	Ref        string
	Kind       Kind
	State      State
	AssigneeID string // empty for a citizen's own list
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Age        time.Duration // since it was submitted
}

// QueueFilter narrows a clerk's queue. Empty fields do not filter; States
// empty means every open state.
type QueueFilter struct {
	States     []State
	Kind       Kind
	AssigneeID string // only requests assigned to this clerk
	Unassigned bool   // only requests nobody took yet
	Limit      int    // at most this many items; 50 when 0, at most 500
	Offset     int
}

// Queue is one page of a clerk's queue, oldest first, with counts of the
// whole filtered queue by state.
type Queue struct {
	Items  []Summary
	Total  int
	Counts map[State]int
}

// Queue returns the requests matching f for a clerk or a supervisor, the
// oldest first: the one waiting longest is the one to take.
func (s *Service) Queue(ctx context.Context, by Actor, f QueueFilter) (Queue, error) {
	if !by.Has(RoleClerk) && !by.Has(RoleSupervisor) {
		return Queue{}, errForbidden("requests.staff_only",
			"Only clerks and supervisors work on citizens' requests.")
	}
	where, args, err := f.where()
	if err != nil {
		return Queue{}, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)

	q := Queue{Counts: map[State]int{}}
	rows, err := s.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM requests_requests
		WHERE `+where+` GROUP BY state`, args...)
	if err != nil {
		return Queue{}, fmt.Errorf("requests: count queue: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return Queue{}, fmt.Errorf("requests: count queue: %w", err)
		}
		q.Counts[st], q.Total = n, q.Total+n
	}
	if err := rows.Err(); err != nil {
		return Queue{}, fmt.Errorf("requests: count queue: %w", err)
	}

	n := len(args)
	q.Items, err = s.summaries(ctx, by, `SELECT ref, kind, state, assignee_id, created_at,
		updated_at FROM requests_requests WHERE `+where+
		fmt.Sprintf(` ORDER BY created_at, ref LIMIT $%d OFFSET $%d`, n+1, n+2),
		append(args, limit, max(f.Offset, 0))...)
	return q, err
}

// where builds the filter's condition with numbered placeholders.
func (f QueueFilter) where() (string, []any, error) {
	states := f.States
	if len(states) == 0 {
		for _, st := range States {
			if st.Open() {
				states = append(states, st)
			}
		}
	}
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var marks []string
	for _, st := range states {
		if !validState(st) {
			return "", nil, sijil.Errorf(sijil.Invalid, "requests.state_invalid",
				"There is no state %q.", st)
		}
		marks = append(marks, arg(string(st)))
	}
	conds = append(conds, "state IN ("+strings.Join(marks, ", ")+")")
	if f.Kind != "" {
		if !f.Kind.valid() {
			return "", nil, sijil.Errorf(sijil.Invalid, "requests.kind_invalid",
				"There is no service %q.", f.Kind)
		}
		conds = append(conds, "kind = "+arg(string(f.Kind)))
	}
	switch {
	case f.Unassigned:
		conds = append(conds, "assignee_id = ''")
	case f.AssigneeID != "":
		conds = append(conds, "assignee_id = "+arg(f.AssigneeID))
	}
	return strings.Join(conds, " AND "), args, nil
}

func validState(st State) bool {
	for _, s := range States {
		if s == st {
			return true
		}
	}
	return false
}

// MyRequests returns the citizen's own requests, the newest first.
func (s *Service) MyRequests(ctx context.Context, by Actor) ([]Summary, error) {
	if !by.IsCitizen() {
		return nil, errForbidden("requests.citizen_only", "Only a citizen has requests.")
	}
	return s.summaries(ctx, by, `SELECT ref, kind, state, assignee_id, created_at, updated_at
		FROM requests_requests WHERE owner_id = $1 ORDER BY created_at DESC, ref`, by.ID)
}

// summaries runs a query for summary rows.
func (s *Service) summaries(ctx context.Context, by Actor, query string,
	args ...any) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("requests: list requests: %w", err)
	}
	defer rows.Close()
	now := s.clock()
	var out []Summary
	for rows.Next() {
		var r Summary
		var created, updated string
		if err := rows.Scan(&r.Ref, &r.Kind, &r.State, &r.AssigneeID, &created,
			&updated); err != nil {
			return nil, fmt.Errorf("requests: list requests: %w", err)
		}
		if r.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if r.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, err
		}
		r.Age = now.Sub(r.CreatedAt)
		if by.IsCitizen() {
			r.AssigneeID = ""
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TicketSummary is a ticket as a list shows it.
type TicketSummary struct {
	Ref       string
	Kind      TicketKind
	Category  string
	Status    TicketStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MyTickets returns the citizen's own complaints and inquiries, the newest
// first.
func (s *Service) MyTickets(ctx context.Context, by Actor) ([]TicketSummary, error) {
	if !by.IsCitizen() {
		return nil, errForbidden("requests.citizen_only", "Only a citizen has tickets.")
	}
	return s.ticketSummaries(ctx, `SELECT ref, kind, category, status, created_at, updated_at
		FROM requests_tickets WHERE owner_id = $1 ORDER BY created_at DESC, ref`, by.ID)
}

// Tickets returns the tickets in status for staff, the oldest first;
// every status when status is empty.
func (s *Service) Tickets(ctx context.Context, by Actor, status TicketStatus,
	limit int) ([]TicketSummary, error) {
	if !by.IsStaff() {
		return nil, errForbidden("requests.staff_only", "Only the office lists tickets.")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return s.ticketSummaries(ctx, `SELECT ref, kind, category, status, created_at, updated_at
		FROM requests_tickets WHERE ($1 = '' OR status = $1) ORDER BY created_at, ref
		LIMIT $2`, string(status), limit)
}

func (s *Service) ticketSummaries(ctx context.Context, query string,
	args ...any) ([]TicketSummary, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("requests: list tickets: %w", err)
	}
	defer rows.Close()
	var out []TicketSummary
	for rows.Next() {
		var t TicketSummary
		var created, updated string
		if err := rows.Scan(&t.Ref, &t.Kind, &t.Category, &t.Status, &created,
			&updated); err != nil {
			return nil, fmt.Errorf("requests: list tickets: %w", err)
		}
		if t.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if t.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// AgeBuckets are the upper bounds of the dashboard's age buckets; a
// request older than the last is in one more bucket.
var AgeBuckets = []time.Duration{2 * 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// Dashboard is what the office's dashboard draws.
type Dashboard struct {
	// ByState counts open requests by state and age: ByState[s][i] is the
	// number in state s younger than AgeBuckets[i] (and older than the
	// bucket before); the last entry counts the older ones.
	ByState map[State][]int
	// IssuedPerWeek counts certificates issued in each of the last weeks,
	// the oldest first; each week starts on Monday 00:00 UTC.
	IssuedPerWeek []WeekCount
	OpenTickets   int // open or answered, not yet closed
}

// WeekCount is the number of requests issued in the week starting Start.
type WeekCount struct {
	Start time.Time
	Count int
}

// Dashboard counts open requests by state and age, issued certificates in
// each of the last weeks (this one included), and unclosed tickets.
func (s *Service) Dashboard(ctx context.Context, by Actor, weeks int) (Dashboard, error) {
	if !by.Has(RoleClerk) && !by.Has(RoleSupervisor) && !by.Has("admin") {
		return Dashboard{}, errForbidden("requests.staff_only",
			"Only the office's staff see the dashboard.")
	}
	weeks = min(max(weeks, 1), 104)
	now := s.clock()
	d := Dashboard{ByState: map[State][]int{}}

	// The database counts per state and bucket, so that the dashboard
	// costs the same whether a hundred or a hundred thousand requests are
	// open: a bucket is the first bound the creation time is after.
	args := []any{StateIssued, StateRejected}
	bucket := "CASE"
	for i, b := range AgeBuckets {
		args = append(args, formatTime(now.Add(-b)))
		bucket += fmt.Sprintf(" WHEN created_at > $%d THEN %d", len(args), i)
	}
	bucket += fmt.Sprintf(" ELSE %d END", len(AgeBuckets))
	rows, err := s.db.QueryContext(ctx, `SELECT state, `+bucket+` AS bucket, COUNT(*)
		FROM requests_requests WHERE state NOT IN ($1, $2) GROUP BY state, bucket`, args...)
	if err != nil {
		return Dashboard{}, fmt.Errorf("requests: dashboard: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st State
		var i, n int
		if err := rows.Scan(&st, &i, &n); err != nil {
			return Dashboard{}, fmt.Errorf("requests: dashboard: %w", err)
		}
		if d.ByState[st] == nil {
			d.ByState[st] = make([]int, len(AgeBuckets)+1)
		}
		d.ByState[st][i] += n
	}
	if err := rows.Err(); err != nil {
		return Dashboard{}, fmt.Errorf("requests: dashboard: %w", err)
	}

	if d.IssuedPerWeek, err = s.issuedPerWeek(ctx, now, weeks); err != nil {
		return Dashboard{}, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests_tickets
		WHERE status <> $1`, TicketClosed).Scan(&d.OpenTickets)
	if err != nil {
		return Dashboard{}, fmt.Errorf("requests: count open tickets: %w", err)
	}
	return d, nil
}

// issuedPerWeek reads the issue times since the first week's Monday (the
// fixed-width time text compares as time in both databases) and counts
// them per week.
func (s *Service) issuedPerWeek(ctx context.Context, now time.Time,
	weeks int) ([]WeekCount, error) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	first := monday.AddDate(0, 0, -7*(weeks-1))

	out := make([]WeekCount, weeks)
	for i := range out {
		out[i].Start = first.AddDate(0, 0, 7*i)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT issued_at FROM requests_requests
		WHERE state = $1 AND issued_at >= $2`, StateIssued, formatTime(first))
	if err != nil {
		return nil, fmt.Errorf("requests: count issued: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at string
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("requests: count issued: %w", err)
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, err
		}
		if i := int(t.Sub(first) / (7 * 24 * time.Hour)); i >= 0 && i < weeks {
			out[i].Count++
		}
	}
	return out, rows.Err()
}
