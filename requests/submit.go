package requests

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/sijil-municipality/sijil"
)

// maxRefDraws bounds the draws of a fresh reference number; meeting a
// taken one even twice in a row is unlikely at ten million per year.
const maxRefDraws = 5

// Submit records a citizen's request: the form, checked and normalised,
// and its supporting files, stripped of metadata. It returns the request
// with its new reference number. Nothing is recorded if anything is wrong.
func (s *Service) Submit(ctx context.Context, by Actor, form Form,
	files []Upload) (Request, error) {
	if !by.IsCitizen() {
		return Request{}, errForbidden("requests.citizen_only",
			"Only a citizen can submit a request.")
	}
	if form == nil || !form.Kind().valid() {
		return Request{}, sijil.Errorf(sijil.Invalid, "requests.kind_invalid",
			"Choose one of the services: a certified copy, a building or a craft certificate.")
	}
	if err := form.Validate(); err != nil {
		return Request{}, err
	}
	body, err := json.Marshal(form)
	if err != nil {
		return Request{}, fmt.Errorf("requests: encode form: %w", err)
	}
	stored, err := s.storeUploads(ctx, files)
	if err != nil {
		return Request{}, err
	}

	now := s.clock()
	r := Request{Kind: form.Kind(), OwnerID: by.ID, State: StateSubmitted, Form: form,
		CreatedAt: now, UpdatedAt: now, Files: stored, version: 1}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if r.Ref, err = freshRef(ctx, tx, string(r.Kind), now.Year(),
			"SELECT 1 FROM requests_requests WHERE ref = $1"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO requests_requests (ref, kind, owner_id,
			state, form, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)`,
			r.Ref, r.Kind, r.OwnerID, r.State, string(body), formatTime(now), formatTime(now))
		if err != nil {
			return fmt.Errorf("requests: insert request: %w", err)
		}
		if err := s.addEvent(ctx, tx, by, &r, now, actSubmitted, "", ""); err != nil {
			return err
		}
		if err := insertFiles(ctx, tx, by, r.Ref, stored, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, "request.submit", r.Ref, string(r.Kind))
	})
	if err != nil {
		return Request{}, err
	}

	s.log.Info("request submitted", "request_ref", r.Ref, "kind", string(r.Kind),
		"files", len(stored))
	s.notify(ctx, Notice{UserID: r.OwnerID, Key: "requests.notice_" + actSubmitted,
		Params: map[string]string{"ref": r.Ref, "state": string(r.State)}})
	return r.viewFor(by), nil
}

// freshRef draws reference numbers until one is not taken, as exists (a
// query with the number as $1) tells.
func freshRef(ctx context.Context, tx *sql.Tx, kind string, year int,
	exists string) (string, error) {
	for range maxRefDraws {
		ref, err := newRef(kind, year)
		if err != nil {
			return "", err
		}
		var one int
		err = tx.QueryRowContext(ctx, exists, ref).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ref, nil
		}
		if err != nil {
			return "", fmt.Errorf("requests: check reference number: %w", err)
		}
	}
	return "", fmt.Errorf("requests: no free reference number in %d draws", maxRefDraws)
}

// Request returns the request ref as by may see it, with its files. A
// citizen sees only their own (NotFound for any other); a staff member's
// view is recorded in the audit trail.
func (s *Service) Request(ctx context.Context, by Actor, ref string) (Request, error) {
	var r Request
	err := s.readFor(ctx, by, ref, "request.view", func(tx *sql.Tx, got Request) error {
		files, err := listFiles(ctx, tx, got.Ref)
		r = got.viewFor(by)
		r.Files = files
		return err
	})
	return r, err
}

// staffOnlyActions are steps of the office's own work, left out of the
// citizen's timeline: an assignment changes nothing they wait on, and an
// approval is followed by the issue they are told of, or by a failed issue
// that puts the request back where it was.
var staffOnlyActions = []string{actAssigned, actApproved, actIssueFailed}

// Timeline returns the steps of the request ref, oldest first. A citizen
// sees who acted as a role only, no staff notes, and none of the office's
// internal steps (assignment, approval, a failed issue).
func (s *Service) Timeline(ctx context.Context, by Actor, ref string) ([]Event, error) {
	var out []Event
	err := s.readFor(ctx, by, ref, "request.view_timeline", func(tx *sql.Tx, r Request) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, action, state, by_role, actor_id,
			note, staff_note FROM requests_events WHERE ref = $1 ORDER BY seq`, r.Ref)
		if err != nil {
			return fmt.Errorf("requests: read timeline of %s: %w", r.Ref, err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Event
			var at string
			if err := rows.Scan(&e.Seq, &at, &e.Action, &e.State, &e.ByRole, &e.ActorID,
				&e.Note, &e.StaffNote); err != nil {
				return fmt.Errorf("requests: read timeline of %s: %w", r.Ref, err)
			}
			if e.At, err = parseTime(at); err != nil {
				return err
			}
			if by.IsCitizen() {
				if slices.Contains(staffOnlyActions, e.Action) {
					continue
				}
				e.ActorID, e.StaffNote = "", ""
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// readFor loads the request ref for by in a transaction, hands it to
// read, and records a staff member's view under action.
func (s *Service) readFor(ctx context.Context, by Actor, ref, action string,
	read func(tx *sql.Tx, r Request) error) error {
	return s.viewIn(ctx, by, action, func(tx *sql.Tx) (string, error) {
		r, err := s.loadFor(ctx, tx, by, ref)
		if err != nil {
			return "", err
		}
		return r.Ref, read(tx, r)
	})
}

// viewIn runs view in a transaction and, when by is staff, records in the
// audit trail, in the same transaction, that they viewed the request or
// ticket whose reference view returns.
func (s *Service) viewIn(ctx context.Context, by Actor, action string,
	view func(tx *sql.Tx) (string, error)) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		ref, err := view(tx)
		if err != nil || !by.IsStaff() {
			return err
		}
		return s.audit(ctx, tx, by, action, ref, "")
	})
}
