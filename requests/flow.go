package requests

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/audit"
)

// State is where a request stands.
type State string

// The states of a request. Issuing is the short step between a
// supervisor's approval and the certificate's record: a request found in it
// is resumed by approving again, which issues under the same key (see
// Approve).
const (
	StateSubmitted        State = "submitted"
	StateInReview         State = "in_review"
	StateNeedsInformation State = "needs_information"
	StateAnswered         State = "answered"
	StateAwaitingApproval State = "awaiting_approval"
	StateIssuing          State = "issuing"
	StateIssued           State = "issued"
	StateRejected         State = "rejected"
)

// States lists the states in the order a request goes through them.
var States = []State{StateSubmitted, StateInReview, StateNeedsInformation, StateAnswered,
	StateAwaitingApproval, StateIssuing, StateIssued, StateRejected}

// Open reports whether a request in s still waits on someone.
func (s State) Open() bool { return s != StateIssued && s != StateRejected }

// Request is a citizen's request as a page shows it. For a citizen, the
// staff fields (AssigneeID, DrafterID, ApproverID, Draft) are empty.
type Request struct {
	Ref        string
	Kind       Kind
	OwnerID    string
	State      State
	Form       Form
	AssigneeID string
	DrafterID  string
	Draft      *Draft
	ApproverID string
	Reason     string // why it was rejected
	CertID     string // the certificate issued, once issued
	PDFKey     string // where its PDF is stored
	CreatedAt  time.Time
	UpdatedAt  time.Time
	IssuedAt   time.Time
	Files      []File

	version  int64
	issueKey string
}

// Event is one step on a request's timeline. ByRole is what the citizen is
// told of who acted: citizen, clerk, supervisor or office. ActorID and
// StaffNote are empty when a citizen reads the timeline.
type Event struct {
	Seq       int
	At        time.Time
	Action    string // submitted, assigned, review_started, information_requested…
	State     State  // the state after the step
	ByRole    string
	ActorID   string
	Note      string // public: the question, the answer, the reason
	StaffNote string // of issue_failed: the message key of the issuer's refusal
}

// The timeline's actions, each also a notice key "requests.notice_<action>"
// and an audit action "request.<action>".
const (
	actSubmitted     = "submitted"
	actAssigned      = "assigned"
	actReviewStarted = "review_started"
	actAskedInfo     = "information_requested"
	actAnswered      = "answered"
	actDrafted       = "draft_submitted"
	actReturned      = "draft_returned"
	actApproved      = "approved"
	actIssued        = "issued"
	actIssueFailed   = "issue_failed"
	actRejected      = "rejected"

	// After issuance: the certificate revoked, or replaced by another.
	actCertRevoked    = "certificate_revoked"
	actCertSuperseded = "certificate_superseded"
)

// notifiedActions are the steps the citizen is told about.
var notifiedActions = []string{actSubmitted, actReviewStarted, actAskedInfo, actAnswered,
	actDrafted, actIssued, actRejected, actCertRevoked, actCertSuperseded}

// step is one transition: who may take it, from where, to where, and what
// else it changes (apply, which may refuse).
type step struct {
	action    string
	from      []State
	to        State
	who       string // RoleClerk, RoleSupervisor, or RoleCitizen (the owner)
	note      string // public note for the timeline
	staffNote string
	apply     func(r *Request) error
}

// Assign gives the request to the clerk to, who must hold the clerk role.
// A clerk may take a request, a supervisor may hand one out; an open
// request before approval may be reassigned.
func (s *Service) Assign(ctx context.Context, by Actor, ref string, to Actor) (Request, error) {
	if !by.Has(RoleClerk) && !by.Has(RoleSupervisor) {
		return Request{}, errForbidden("requests.clerk_only",
			"Only a clerk or a supervisor can assign a request.")
	}
	if !to.Has(RoleClerk) {
		return Request{}, sijil.Errorf(sijil.Invalid, "requests.assignee_not_clerk",
			"A request can only be assigned to a clerk.")
	}
	return s.move(ctx, by, ref, step{action: actAssigned, who: "",
		from: []State{StateSubmitted, StateInReview, StateNeedsInformation, StateAnswered},
		apply: func(r *Request) error {
			r.AssigneeID = to.ID
			return nil
		}})
}

// StartReview moves a submitted request into review by a clerk, who
// becomes its assignee if it had none.
func (s *Service) StartReview(ctx context.Context, by Actor, ref string) (Request, error) {
	return s.move(ctx, by, ref, step{action: actReviewStarted, who: RoleClerk,
		from: []State{StateSubmitted}, to: StateInReview,
		apply: func(r *Request) error { return takeOver(r, by) }})
}

// AskForInformation asks the citizen a question; the request waits for
// the answer.
func (s *Service) AskForInformation(ctx context.Context, by Actor, ref,
	question string) (Request, error) {
	question, err := checkNote("question", question, true)
	if err != nil {
		return Request{}, err
	}
	return s.move(ctx, by, ref, step{action: actAskedInfo, who: RoleClerk,
		from: []State{StateInReview, StateAnswered}, to: StateNeedsInformation,
		note: question, apply: func(r *Request) error { return takeOver(r, by) }})
}

// Answer is the citizen's answer to the office's question, with optional
// supporting files.
func (s *Service) Answer(ctx context.Context, by Actor, ref, text string,
	files []Upload) (Request, error) {
	text, err := checkNote("answer", text, len(files) == 0)
	if err != nil {
		return Request{}, err
	}
	stored, err := s.storeUploads(ctx, files)
	if err != nil {
		return Request{}, err
	}
	return s.move(ctx, by, ref, step{action: actAnswered, who: RoleCitizen,
		from: []State{StateNeedsInformation}, to: StateAnswered, note: text,
		apply: func(r *Request) error {
			r.Files = stored
			return nil
		}})
}

// SubmitDraft records the certificate fields the clerk drafted, with the
// archive records that prove them, and sends the draft for approval. The
// clerk becomes the drafter, whom the two-person rule keeps from approving.
//
// The draft is refused with what issuing it would refuse, each problem
// tagged with its form field (see FieldErrors), so that the clerk fixes it
// now rather than the supervisor sending it back.
func (s *Service) SubmitDraft(ctx context.Context, by Actor, ref string,
	d Draft) (Request, error) {
	if err := authorize(by, RoleClerk); err != nil {
		return Request{}, err
	}

	// The issuer's check draws the certificate and reads the archive, so it
	// runs before the step's transaction rather than holding it open; the
	// step checks the state again, and the draft's fit to the request.
	cur, err := s.loadFor(ctx, s.db, by, ref)
	if err != nil {
		return Request{}, err
	}
	if !slices.Contains(draftable, cur.State) {
		return Request{}, errCannot(actDrafted, cur.State)
	}
	if err := s.checkDraft(ctx, cur.Kind, &d); err != nil {
		return Request{}, err
	}

	return s.move(ctx, by, ref, step{action: actDrafted, who: RoleClerk,
		from: draftable, to: StateAwaitingApproval,
		apply: func(r *Request) error {
			if err := d.validate(r.Kind); err != nil {
				return err
			}
			if err := takeOver(r, by); err != nil {
				return err
			}
			r.Draft, r.DrafterID = &d, by.ID
			return nil
		}})
}

// draftable are the states a draft may be submitted in.
var draftable = []State{StateInReview, StateAnswered}

// checkDraft refuses a draft that lacks what issuing needs, then one the
// issuer would refuse, with the issuer's problems renamed to the draft
// form's fields.
func (s *Service) checkDraft(ctx context.Context, kind Kind, d *Draft) error {
	if err := d.validate(kind); err != nil {
		return err
	}
	if err := s.issuer.CheckDraft(ctx, *d); err != nil {
		return draftProblems(err)
	}
	return nil
}

// ReturnDraft sends a draft back to review, with the supervisor's note for
// the clerk; the citizen sees only that the request is in review again.
func (s *Service) ReturnDraft(ctx context.Context, by Actor, ref, note string) (Request, error) {
	note, err := checkNote("note", note, true)
	if err != nil {
		return Request{}, err
	}
	return s.move(ctx, by, ref, step{action: actReturned, who: RoleSupervisor,
		from: []State{StateAwaitingApproval}, to: StateInReview, staffNote: note,
		apply: func(r *Request) error { return nil }})
}

// Reject closes the request with a reason the citizen reads. The assigned
// clerk or a supervisor may reject from any review state.
func (s *Service) Reject(ctx context.Context, by Actor, ref, reason string) (Request, error) {
	reason, err := checkNote("reason", reason, true)
	if err != nil {
		return Request{}, err
	}
	who := RoleClerk
	if by.Has(RoleSupervisor) {
		who = RoleSupervisor
	}
	return s.move(ctx, by, ref, step{action: actRejected, who: who,
		from: []State{StateInReview, StateNeedsInformation, StateAnswered,
			StateAwaitingApproval},
		to: StateRejected, note: reason,
		apply: func(r *Request) error {
			if who == RoleClerk {
				if err := takeOver(r, by); err != nil {
					return err
				}
			}
			r.Reason = reason
			return nil
		}})
}

// takeOver makes by the assignee of an unassigned request, and refuses a
// clerk acting on a request assigned to someone else.
func takeOver(r *Request, by Actor) error {
	switch r.AssigneeID {
	case "":
		r.AssigneeID = by.ID
	case by.ID:
	default:
		return errForbidden("requests.not_assignee",
			"This request is assigned to another clerk; ask a supervisor to reassign it.")
	}
	return nil
}

// move takes one step on the request ref, in one transaction with its
// timeline event and audit record, then notifies the citizen.
func (s *Service) move(ctx context.Context, by Actor, ref string, st step) (Request, error) {
	if err := authorize(by, st.who); err != nil {
		return Request{}, err
	}

	var r Request
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = s.loadFor(ctx, tx, by, ref); err != nil {
			return err
		}
		if !slices.Contains(st.from, r.State) {
			return errCannot(st.action, r.State)
		}
		if st.apply != nil {
			if err := st.apply(&r); err != nil {
				return err
			}
		}
		if st.to != "" {
			r.State = st.to
		}
		return s.save(ctx, tx, by, &r, st.action, st.note, st.staffNote)
	})
	if err != nil {
		return Request{}, err
	}

	if slices.Contains(notifiedActions, st.action) {
		s.notify(ctx, Notice{UserID: r.OwnerID, Key: "requests.notice_" + st.action,
			Params: map[string]string{"ref": r.Ref, "state": string(r.State), "note": st.note}})
	}
	return r.viewFor(by), nil
}

// authorize checks by may take a step that needs role who; "" lets any
// staff member through, the step's own checks deciding.
func authorize(by Actor, who string) error {
	switch who {
	case RoleCitizen:
		if !by.IsCitizen() {
			return errForbidden("requests.citizen_only", "Only the citizen who made the "+
				"request can do this.")
		}
	case RoleClerk:
		if !by.Has(RoleClerk) {
			return errForbidden("requests.clerk_only", "Only a clerk can do this.")
		}
	case RoleSupervisor:
		if !by.Has(RoleSupervisor) {
			return errForbidden("requests.supervisor_only", "Only a supervisor can do this.")
		}
	default:
		if !by.IsStaff() {
			return errForbidden("requests.staff_only", "Only the office's staff can do this.")
		}
	}
	return nil
}

// save writes r's changed fields if nobody changed the request since it
// was loaded, then its timeline event, its files and the audit record.
func (s *Service) save(ctx context.Context, tx *sql.Tx, by Actor, r *Request,
	action, note, staffNote string) error {
	now := s.clock()
	draft := ""
	if r.Draft != nil {
		b, err := json.Marshal(r.Draft)
		if err != nil {
			return fmt.Errorf("requests: encode draft: %w", err)
		}
		draft = string(b)
	}
	issuedAt := ""
	if !r.IssuedAt.IsZero() {
		issuedAt = formatTime(r.IssuedAt)
	}
	res, err := tx.ExecContext(ctx, `UPDATE requests_requests SET state = $1,
		assignee_id = $2, drafter_id = $3, draft = $4, approver_id = $5, issue_key = $6,
		cert_id = $7, pdf_key = $8, reason = $9, updated_at = $10, issued_at = $11,
		version = version + 1 WHERE ref = $12 AND version = $13`,
		r.State, r.AssigneeID, r.DrafterID, draft, r.ApproverID, r.issueKey, r.CertID,
		r.PDFKey, r.Reason, formatTime(now), issuedAt, r.Ref, r.version)
	if err != nil {
		return fmt.Errorf("requests: update %s: %w", r.Ref, err)
	}
	if err := changedOne(res); err != nil {
		return err
	}
	r.version++
	r.UpdatedAt = now

	if err := s.addEvent(ctx, tx, by, r, now, action, note, staffNote); err != nil {
		return err
	}
	if err := insertFiles(ctx, tx, by, r.Ref, r.Files, now); err != nil {
		return err
	}
	return s.audit(ctx, tx, by, "request."+action, r.Ref, "")
}

// changedOne checks that a versioned update changed its row: none means
// someone else's change committed between the read and the update.
func changedOne(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("requests: count updated rows: %w", err)
	}
	if n != 1 {
		return sijil.Errorf(sijil.Conflict, "requests.changed_meanwhile",
			"Someone else changed this at the same time; reload the page and try again.")
	}
	return nil
}

// addEvent appends a step to r's timeline.
func (s *Service) addEvent(ctx context.Context, tx *sql.Tx, by Actor, r *Request,
	at time.Time, action, note, staffNote string) error {
	byRole := RoleCitizen
	switch {
	case by.IsStaff() && (action == actApproved || action == actIssued):
		byRole = RoleSupervisor
	case by.Has(RoleClerk) && action != actReturned:
		byRole = RoleClerk
	case by.Has(RoleSupervisor):
		byRole = RoleSupervisor
	case by.IsStaff():
		byRole = "office"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO requests_events (ref, seq, at, action, state,
		by_role, actor_id, note, staff_note)
		SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8
		FROM requests_events WHERE ref = $9`,
		r.Ref, formatTime(at), action, r.State, byRole, by.ID, note, staffNote, r.Ref)
	if err != nil {
		return fmt.Errorf("requests: add %s event to %s: %w", action, r.Ref, err)
	}
	return nil
}

// audit records by's action on a request or ticket in the audit trail.
func (s *Service) audit(ctx context.Context, tx *sql.Tx, by Actor, action, ref,
	detail string) error {
	kind := "request"
	if strings.HasPrefix(action, "ticket.") {
		kind = "ticket"
	}
	_, err := audit.Append(ctx, tx, audit.Event{At: s.clock(), ActorID: by.ID,
		ActorRole: by.auditRole(), Action: action, ObjectKind: kind, ObjectID: ref,
		RequestID: by.RequestID, Detail: detail})
	return err
}

// loadFor reads the request ref for by: a citizen gets NotFound for a
// request that is not theirs, exactly as for one that does not exist.
func (s *Service) loadFor(ctx context.Context, q audit.Queryer, by Actor,
	ref string) (Request, error) {
	notFound := sijil.Errorf(sijil.NotFound, "requests.not_found",
		"There is no request with this reference number.")
	canon, err := ParseRef(ref)
	if err != nil {
		return Request{}, notFound
	}
	if !by.IsCitizen() && !by.IsStaff() {
		return Request{}, notFound
	}
	if by.IsStaff() && !by.Has(RoleClerk) && !by.Has(RoleSupervisor) {
		return Request{}, errForbidden("requests.staff_only",
			"Only clerks and supervisors work on citizens' requests.")
	}
	r, err := loadRequest(ctx, q, canon)
	if err != nil {
		return Request{}, err
	}
	if by.IsCitizen() && r.OwnerID != by.ID {
		return Request{}, notFound
	}
	return r, nil
}

// loadRequest reads one request row.
func loadRequest(ctx context.Context, q audit.Queryer, ref string) (Request, error) {
	var r Request
	var form, draft, created, updated, issued string
	err := q.QueryRowContext(ctx, `SELECT ref, kind, owner_id, state, form, assignee_id,
		drafter_id, draft, approver_id, issue_key, cert_id, pdf_key, reason, created_at,
		updated_at, issued_at, version FROM requests_requests WHERE ref = $1`, ref).Scan(
		&r.Ref, &r.Kind, &r.OwnerID, &r.State, &form, &r.AssigneeID, &r.DrafterID, &draft,
		&r.ApproverID, &r.issueKey, &r.CertID, &r.PDFKey, &r.Reason, &created, &updated,
		&issued, &r.version)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, sijil.Errorf(sijil.NotFound, "requests.not_found",
			"There is no request with this reference number.")
	}
	if err != nil {
		return Request{}, fmt.Errorf("requests: read %s: %w", ref, err)
	}
	if r.Form, err = decodeForm(r.Kind, form); err != nil {
		return Request{}, err
	}
	if draft != "" {
		r.Draft = new(Draft)
		if err := json.Unmarshal([]byte(draft), r.Draft); err != nil {
			return Request{}, fmt.Errorf("requests: stored draft of %s: %w", ref, err)
		}
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{created, &r.CreatedAt}, {updated, &r.UpdatedAt}, {issued, &r.IssuedAt}} {
		if *t.dst, err = parseTime(t.s); err != nil {
			return Request{}, err
		}
	}
	return r, nil
}

// decodeForm reads a stored form of kind.
func decodeForm(kind Kind, data string) (Form, error) {
	var f Form
	switch kind {
	case KindCopy:
		f = new(CopyForm)
	case KindBuilding:
		f = new(BuildingForm)
	case KindCraft:
		f = new(CraftForm)
	default:
		return nil, fmt.Errorf("requests: stored kind %q is unknown", kind)
	}
	if err := json.Unmarshal([]byte(data), f); err != nil {
		return nil, fmt.Errorf("requests: stored %s form: %w", kind, err)
	}
	return f, nil
}

// viewFor hides from a citizen what only staff see.
func (r Request) viewFor(by Actor) Request {
	r.Files = nil
	if by.IsCitizen() {
		r.AssigneeID, r.DrafterID, r.ApproverID, r.Draft = "", "", "", nil
	}
	return r
}

// checkNote trims a question, answer, note or reason and checks its length.
func checkNote(field, s string, required bool) (string, error) {
	var v checker
	s = v.text(field, s, required, maxLong)
	return s, v.err()
}

func errForbidden(key, msg string) error {
	return sijil.Errorf(sijil.Forbidden, key, "%s", msg)
}

// errCannot refuses a step the request's state does not allow.
func errCannot(action string, st State) error {
	return sijil.Errorf(sijil.Conflict, "requests.cannot_"+action,
		"This request is %s: the step %q is not possible now.",
		strings.ReplaceAll(string(st), "_", " "), strings.ReplaceAll(action, "_", " "))
}
