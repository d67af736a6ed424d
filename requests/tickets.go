package requests

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/audit"
)

// TicketKind says whether a ticket is a complaint or an inquiry.
type TicketKind string

// The kinds of ticket.
const (
	TicketComplaint TicketKind = "complaint"
	TicketInquiry   TicketKind = "inquiry"
)

// TicketCategories is the fixed list of what a ticket may be about, in the
// order pages offer them; each is translated under "requests.category_<c>".
var TicketCategories = []string{"water", "wastewater", "solid_waste", "roads", "lighting",
	"buildings", "certificates", "billing", "other"}

// TicketStatus is where a ticket stands: open until staff answer, answered
// until the citizen follows up (open again) or staff close it.
type TicketStatus string

// The statuses of a ticket.
const (
	TicketOpen     TicketStatus = "open"
	TicketAnswered TicketStatus = "answered"
	TicketClosed   TicketStatus = "closed"
)

// TicketForm is what a citizen fills in for a complaint or an inquiry.
// Place is free text ("near the old mosque"); Lat and Lon, when given, are
// decimal degrees. Photo is optional; its metadata (and so any GPS
// position the citizen did not mean to send) is stripped.
type TicketForm struct {
	Kind     TicketKind
	Category string
	Text     string
	Place    string
	Lat      string
	Lon      string
	Photo    *Upload
}

// Ticket is a complaint or an inquiry with its conversation.
type Ticket struct {
	Ref       string
	Kind      TicketKind
	OwnerID   string
	Category  string
	Text      string
	Place     string
	Lat, Lon  string
	Status    TicketStatus
	CreatedAt time.Time
	UpdatedAt time.Time
	Messages  []TicketMessage
	Files     []File

	version int64
}

// TicketMessage is a reply from staff or a follow-up from the citizen.
// ActorID is empty when a citizen reads it.
type TicketMessage struct {
	Seq     int
	At      time.Time
	ByRole  string // citizen or office
	ActorID string
	Text    string
}

// Validate normalises f and returns every problem with it.
func (f *TicketForm) Validate() error {
	var v checker
	if f.Kind != TicketComplaint && f.Kind != TicketInquiry {
		v.add("ticket_kind", "invalid", "Choose a complaint or an inquiry.")
	}
	if !slices.Contains(TicketCategories, f.Category) {
		v.add("category", "invalid", "Choose a category from the list.")
	}
	f.Text = v.text("text", f.Text, true, maxLong)
	f.Place = v.text("place", f.Place, false, maxShort)
	f.Lat = v.coordinate("lat", f.Lat, 90)
	f.Lon = v.coordinate("lon", f.Lon, 180)
	if (f.Lat == "") != (f.Lon == "") && !v.has("lat") && !v.has("lon") {
		v.add("lat", "invalid", "Give both the latitude and the longitude, or neither.")
	}
	return v.err()
}

// coordinate normalises an optional decimal degree within ±limit.
func (v *checker) coordinate(field, s string, limit float64) string {
	s = strings.TrimSpace(strings.ReplaceAll(sijil.NormalizeDigits(s), "٫", "."))
	if s == "" {
		return ""
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < -limit || x > limit || len(s) > 20 {
		v.add(field, "invalid", "Give the position in decimal degrees, like 33.8938.")
		return s
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// OpenTicket records a citizen's complaint or inquiry, with its photo
// stripped of metadata.
func (s *Service) OpenTicket(ctx context.Context, by Actor, f TicketForm) (Ticket, error) {
	if !by.IsCitizen() {
		return Ticket{}, errForbidden("requests.citizen_only",
			"Only a citizen can open a complaint or an inquiry.")
	}
	if err := f.Validate(); err != nil {
		return Ticket{}, err
	}
	var uploads []Upload
	if f.Photo != nil {
		uploads = append(uploads, *f.Photo)
	}
	stored, err := s.storeUploads(ctx, uploads)
	if err != nil {
		return Ticket{}, err
	}

	now := s.clock()
	t := Ticket{Kind: f.Kind, OwnerID: by.ID, Category: f.Category, Text: f.Text,
		Place: f.Place, Lat: f.Lat, Lon: f.Lon, Status: TicketOpen, CreatedAt: now,
		UpdatedAt: now, Files: stored, version: 1}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if t.Ref, err = freshRef(ctx, tx, string(t.Kind), now.Year(),
			"SELECT 1 FROM requests_tickets WHERE ref = $1"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO requests_tickets (ref, kind, owner_id,
			category, body, place, lat, lon, status, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)`,
			t.Ref, t.Kind, t.OwnerID, t.Category, t.Text, t.Place, t.Lat, t.Lon, t.Status,
			formatTime(now), formatTime(now))
		if err != nil {
			return fmt.Errorf("requests: insert ticket: %w", err)
		}
		if err := insertFiles(ctx, tx, by, t.Ref, stored, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, "ticket.open", t.Ref, string(t.Kind))
	})
	if err != nil {
		return Ticket{}, err
	}
	s.notify(ctx, Notice{UserID: t.OwnerID, Key: "requests.notice_ticket_opened",
		Params: map[string]string{"ref": t.Ref, "state": string(t.Status)}})
	return t, nil
}

// Ticket returns the ticket ref with its conversation and photo, as by
// may see it: a citizen only their own (NotFound for any other); a staff
// view is audited.
func (s *Service) Ticket(ctx context.Context, by Actor, ref string) (Ticket, error) {
	var out Ticket
	err := s.readTicketFor(ctx, by, ref, "ticket.view", func(tx *sql.Tx, t Ticket) error {
		var err error
		if t.Messages, err = ticketMessages(ctx, tx, by, t.Ref); err != nil {
			return err
		}
		t.Files, err = listFiles(ctx, tx, t.Ref)
		out = t
		return err
	})
	return out, err
}

// TicketFile opens the photo or file id of the ticket ref; the caller
// closes it. Ownership is as for Ticket.
func (s *Service) TicketFile(ctx context.Context, by Actor, ref, id string) (File,
	io.ReadCloser, error) {
	var f File
	err := s.readTicketFor(ctx, by, ref, "ticket.view_file", func(tx *sql.Tx, t Ticket) error {
		var err error
		f, err = findFile(ctx, tx, t.Ref, id)
		return err
	})
	if err != nil {
		return File{}, nil, err
	}
	return s.openFile(ctx, f)
}

// Reply is a staff member's answer on the ticket ref: an open ticket
// becomes answered. With close set, the ticket is closed with the reply.
func (s *Service) Reply(ctx context.Context, by Actor, ref, text string,
	close bool) (Ticket, error) {
	if !by.IsStaff() {
		return Ticket{}, errForbidden("requests.staff_only", "Only the office can reply.")
	}
	to := TicketAnswered
	if close {
		to = TicketClosed
	}
	return s.ticketStep(ctx, by, ref, text, "reply",
		[]TicketStatus{TicketOpen, TicketAnswered}, to)
}

// FollowUp is the citizen's message on their own ticket, which opens it
// again for the office.
func (s *Service) FollowUp(ctx context.Context, by Actor, ref, text string) (Ticket, error) {
	if !by.IsCitizen() {
		return Ticket{}, errForbidden("requests.citizen_only",
			"Only the citizen who opened the ticket can follow it up.")
	}
	return s.ticketStep(ctx, by, ref, text, "follow_up",
		[]TicketStatus{TicketOpen, TicketAnswered}, TicketOpen)
}

// CloseTicket closes the ticket ref without a message: the citizen who
// opened it, or staff.
func (s *Service) CloseTicket(ctx context.Context, by Actor, ref string) (Ticket, error) {
	return s.ticketStep(ctx, by, ref, "", "close",
		[]TicketStatus{TicketOpen, TicketAnswered}, TicketClosed)
}

// ticketStep adds a message (if text is given) and moves the ticket to to,
// from one of from.
func (s *Service) ticketStep(ctx context.Context, by Actor, ref, text, action string,
	from []TicketStatus, to TicketStatus) (Ticket, error) {
	if action != "close" {
		var err error
		if text, err = checkNote("message", text, true); err != nil {
			return Ticket{}, err
		}
	}

	var t Ticket
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = s.loadTicketFor(ctx, tx, by, ref); err != nil {
			return err
		}
		if !slices.Contains(from, t.Status) {
			return sijil.Errorf(sijil.Conflict, "requests.ticket_cannot_"+action,
				"This ticket is %s: the step is not possible now.", t.Status)
		}
		now := s.clock()
		res, err := tx.ExecContext(ctx, `UPDATE requests_tickets SET status = $1,
			updated_at = $2, version = version + 1 WHERE ref = $3 AND version = $4`,
			to, formatTime(now), t.Ref, t.version)
		if err != nil {
			return fmt.Errorf("requests: update ticket %s: %w", t.Ref, err)
		}
		if err := changedOne(res); err != nil {
			return err
		}
		t.Status, t.UpdatedAt = to, now
		if text != "" {
			byRole := RoleCitizen
			if by.IsStaff() {
				byRole = "office"
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO requests_ticket_messages (ref, seq, at,
				by_role, actor_id, body) SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5
				FROM requests_ticket_messages WHERE ref = $6`,
				t.Ref, formatTime(now), byRole, by.ID, text, t.Ref)
			if err != nil {
				return fmt.Errorf("requests: add message to %s: %w", t.Ref, err)
			}
		}
		return s.audit(ctx, tx, by, "ticket."+action, t.Ref, "")
	})
	if err != nil {
		return Ticket{}, err
	}
	if by.IsStaff() {
		s.notify(ctx, Notice{UserID: t.OwnerID, Key: "requests.notice_ticket_" + string(to),
			Params: map[string]string{"ref": t.Ref, "state": string(to)}})
	}
	return s.Ticket(ctx, by, t.Ref)
}

// readTicketFor loads the ticket ref for by in a transaction, hands it to
// read, and records a staff member's view under action.
func (s *Service) readTicketFor(ctx context.Context, by Actor, ref, action string,
	read func(tx *sql.Tx, t Ticket) error) error {
	return s.viewIn(ctx, by, action, func(tx *sql.Tx) (string, error) {
		t, err := s.loadTicketFor(ctx, tx, by, ref)
		if err != nil {
			return "", err
		}
		return t.Ref, read(tx, t)
	})
}

// loadTicketFor reads the ticket ref for by: NotFound for a citizen's
// reach into another's ticket, as for one that does not exist.
func (s *Service) loadTicketFor(ctx context.Context, q audit.Queryer, by Actor,
	ref string) (Ticket, error) {
	notFound := sijil.Errorf(sijil.NotFound, "requests.ticket_not_found",
		"There is no complaint or inquiry with this reference number.")
	canon, err := ParseRef(ref)
	if err != nil || (!by.IsCitizen() && !by.IsStaff()) {
		return Ticket{}, notFound
	}
	var t Ticket
	var created, updated string
	err = q.QueryRowContext(ctx, `SELECT ref, kind, owner_id, category, body, place, lat, lon,
		status, created_at, updated_at, version FROM requests_tickets WHERE ref = $1`,
		canon).Scan(&t.Ref, &t.Kind, &t.OwnerID, &t.Category, &t.Text, &t.Place, &t.Lat,
		&t.Lon, &t.Status, &created, &updated, &t.version)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, notFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("requests: read ticket %s: %w", canon, err)
	}
	if by.IsCitizen() && t.OwnerID != by.ID {
		return Ticket{}, notFound
	}
	if t.CreatedAt, err = parseTime(created); err != nil {
		return Ticket{}, err
	}
	if t.UpdatedAt, err = parseTime(updated); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// ticketMessages returns the conversation of a ticket, oldest first.
func ticketMessages(ctx context.Context, tx *sql.Tx, by Actor, ref string) ([]TicketMessage,
	error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, at, by_role, actor_id, body
		FROM requests_ticket_messages WHERE ref = $1 ORDER BY seq`, ref)
	if err != nil {
		return nil, fmt.Errorf("requests: read messages of %s: %w", ref, err)
	}
	defer rows.Close()
	var out []TicketMessage
	for rows.Next() {
		var m TicketMessage
		var at string
		if err := rows.Scan(&m.Seq, &at, &m.ByRole, &m.ActorID, &m.Text); err != nil {
			return nil, fmt.Errorf("requests: read messages of %s: %w", ref, err)
		}
		if m.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if by.IsCitizen() {
			m.ActorID = ""
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
