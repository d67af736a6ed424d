package requests

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sijil-municipality/sijil"
)

// Draft is what a clerk prepares for approval: the archive records that
// prove the facts, with the pages that show them, and the certificate's
// fields for the request's kind (exactly one of Building, Craft, Copy).
type Draft struct {
	Records  []RecordLink   `json:"records"`
	Building *BuildingDraft `json:"building,omitempty"`
	Craft    *CraftDraft    `json:"craft,omitempty"`
	Copy     *CopyDraft     `json:"copy,omitempty"`
}

// RecordLink is an archive record cited as proof, and the pages of it that
// show the facts (from 1; empty for the whole record).
type RecordLink struct {
	RecordID string `json:"record_id"`
	Pages    []int  `json:"pages,omitempty"`
}

// BuildingDraft holds a building certificate's fields, as certs'
// BuildingRequest states them.
type BuildingDraft struct {
	HolderName    string       `json:"holder_name"`
	HolderID      string       `json:"holder_id"`
	Parcel        string       `json:"parcel"`
	Plot          string       `json:"plot"`
	Neighbourhood string       `json:"neighbourhood"`
	Street        string       `json:"street"`
	ZoningStatus  string       `json:"zoning_status"`
	AsOf          string       `json:"as_of"`
	Floors        []FloorDraft `json:"floors"`
}

// FloorDraft is one floor: its level, area in m² as decimal text, and use.
type FloorDraft struct {
	Level  string `json:"level"`
	AreaM2 string `json:"area_m2"`
	Use    string `json:"use"`
}

// CraftDraft holds a craft certificate's fields, as certs' CraftRequest
// states them.
type CraftDraft struct {
	ShopName      string `json:"shop_name"`
	LicenceNo     string `json:"licence_no"`
	HolderName    string `json:"holder_name"`
	HolderID      string `json:"holder_id"`
	Neighbourhood string `json:"neighbourhood"`
	Street        string `json:"street"`
	Activity      string `json:"activity"`
	FromYear      int    `json:"from_year"`
	ToYear        int    `json:"to_year"`
}

// CopyDraft holds a certified copy's fields: the record copied is the
// draft's single record link; the holder is optional.
type CopyDraft struct {
	HolderName string `json:"holder_name,omitempty"`
	HolderID   string `json:"holder_id,omitempty"`
}

// maxDraftRecords matches the most records a certificate may cite.
const maxDraftRecords = 20

// validate checks the draft has what issuing needs for kind, and trims
// it. The issuer's CheckDraft then checks the fields in full (national
// IDs, areas, dates, what the font prints), as issuing will.
func (d *Draft) validate(kind Kind) error {
	var v checker
	n := len(d.Records)
	switch {
	case n == 0:
		v.add("draft_records", "required", "Link the archive records that prove the facts.")
	case n > maxDraftRecords:
		v.add("draft_records", "too_many", fmt.Sprintf("Link at most %d records.",
			maxDraftRecords))
	case kind == KindCopy && n != 1:
		v.add("draft_records", "one_for_copy", "A certified copy reproduces exactly one record.")
	}
	seen := map[string]bool{}
	for i := range d.Records {
		l := &d.Records[i]
		l.RecordID = strings.TrimSpace(l.RecordID)
		if l.RecordID == "" || len(l.RecordID) > maxShort || seen[l.RecordID] {
			v.add("draft_records", "invalid", "Each linked record must be named once.")
		}
		seen[l.RecordID] = true
		for _, p := range l.Pages {
			if p < 1 {
				v.add("draft_records", "invalid", "Page numbers start at 1.")
			}
		}
	}

	sections := 0
	for _, present := range []bool{d.Building != nil, d.Craft != nil, d.Copy != nil} {
		if present {
			sections++
		}
	}
	wrong := sections != 1
	switch kind {
	case KindBuilding:
		wrong = wrong || d.Building == nil
	case KindCraft:
		wrong = wrong || d.Craft == nil
	case KindCopy:
		wrong = wrong || d.Copy == nil
	}
	if wrong {
		v.add("draft_kind", "mismatch", "The draft's fields are not those of this service.")
		return v.err()
	}

	switch {
	case d.Building != nil:
		b := d.Building
		b.HolderName = v.text("draft_holder_name", b.HolderName, true, maxShort)
		b.HolderID = v.identifier("draft_holder_id", b.HolderID, true)
		b.Neighbourhood = v.text("draft_neighbourhood", b.Neighbourhood, true, maxShort)
		if len(b.Floors) == 0 {
			v.add("draft_floors", "required", "State at least one floor.")
		}
	case d.Craft != nil:
		c := d.Craft
		c.HolderName = v.text("draft_holder_name", c.HolderName, true, maxShort)
		c.HolderID = v.identifier("draft_holder_id", c.HolderID, true)
		c.ShopName = v.text("draft_shop_name", c.ShopName, true, maxShort)
		c.Activity = v.text("draft_activity", c.Activity, true, maxShort)
	case d.Copy != nil:
		d.Copy.HolderName = v.text("draft_holder_name", d.Copy.HolderName, false, maxShort)
		d.Copy.HolderID = v.identifier("draft_holder_id", d.Copy.HolderID, false)
	}
	return v.err()
}

// Certificate is a certificate as the issuer reports it: its id, as
// printed, and where its PDF is stored.
type Certificate struct {
	ID     string
	PDFKey string
}

// Issuer issues the certificate an approval grants; cmd adapts certs'
// Issuer to it.
//
// Each call carries an idempotency key, the same for every attempt to issue
// one request's certificate. An implementation must issue at most one
// certificate per key: a second call with a key already used returns the
// certificate issued the first time, even if the first call's caller never
// heard back (it crashed, or the answer was lost). This is what makes a
// retried approval safe.
//
// An error of kind Invalid or TooLarge means the draft was refused and
// nothing was issued; the request goes back to awaiting approval. Any
// other error may hide a certificate issued without an answer: the request
// stays in issuing, and the next approval asks again under the same key.
//
// CheckDraft, which SubmitDraft calls, refuses what issuing d now would
// refuse, and issues nothing. Each problem is a *sijil.Error of kind
// Invalid or TooLarge whose Field names the draft's field as its JSON tag
// does ("plot", "floors", "from_year"), or "records" or "record" for the
// linked records; the problems are joined. Any other error means the check
// could not be made.
type Issuer interface {
	CheckDraft(ctx context.Context, d Draft) error
	IssueBuilding(ctx context.Context, key string, d BuildingDraft,
		records []string) (Certificate, error)
	IssueCraft(ctx context.Context, key string, d CraftDraft,
		records []string) (Certificate, error)
	IssueCopy(ctx context.Context, key string, d CopyDraft, record string) (Certificate, error)
}

// RecordIDs lists the ids of the records the draft links, in order: those
// a certificate cites.
func (d Draft) RecordIDs() []string {
	ids := make([]string, len(d.Records))
	for i, l := range d.Records {
		ids[i] = l.RecordID
	}
	return ids
}

// IssueKey is the idempotency key under which the certificate of the
// request ref is issued. It is derived from the reference number alone,
// because a request grants at most one certificate: however many times an
// approval is retried, resumed or raced, the issuer sees one key.
func IssueKey(ref string) string { return "sijil-request:" + ref }

// Approve is the supervisor's approval of a drafted request, which issues
// its certificate. The supervisor must not be the clerk who drafted it.
//
// Approval runs in three steps, so that no crash can issue twice: (1) the
// request moves to issuing, with the approver and the issue key, and that
// commits; (2) the issuer issues under the key, which it honours at most
// once; (3) the certificate's id is recorded and the request is issued.
// A crash or a failure between (1) and (3) leaves the request in issuing;
// approving it again (by any supervisor who did not draft it) skips (1)
// and repeats (2) under the same key, which returns the certificate already
// issued, if any, instead of a second one. Approving an issued request is a
// Conflict and issues nothing.
func (s *Service) Approve(ctx context.Context, by Actor, ref string) (Request, error) {
	if err := authorize(by, RoleSupervisor); err != nil {
		return Request{}, err
	}

	r, err := s.startIssuing(ctx, by, ref)
	if err != nil {
		return Request{}, err
	}

	cert, err := s.issueDraft(ctx, r)
	if k := sijil.KindOf(err); k == sijil.Invalid || k == sijil.TooLarge {
		return Request{}, s.issueRefused(ctx, by, r, err)
	}
	if err != nil {
		s.log.Error("certificate not issued; the request stays in issuing until approved "+
			"again", "request_ref", r.Ref, "error", err)
		return Request{}, sijil.Errorf(sijil.Unavailable, "requests.issue_unavailable",
			"The certificate could not be issued just now; approve the request again to "+
				"retry: %w", err)
	}

	return s.finishIssuing(ctx, by, r, cert)
}

// startIssuing moves an awaiting request to issuing, or picks up one left
// there, after the role and two-person checks.
func (s *Service) startIssuing(ctx context.Context, by Actor, ref string) (Request, error) {
	var r Request
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = s.loadFor(ctx, tx, by, ref); err != nil {
			return err
		}
		if r.State != StateAwaitingApproval && r.State != StateIssuing {
			return errCannot(actApproved, r.State)
		}
		if r.DrafterID == by.ID {
			return errForbidden("requests.two_person_rule", "You drafted this certificate: "+
				"another supervisor must approve it.")
		}
		if r.Draft == nil {
			return fmt.Errorf("requests: %s awaits approval without a draft", r.Ref)
		}
		if r.State == StateIssuing {
			// Resumed: the first approver and the key stand; the audit trail
			// still records who retried.
			return s.audit(ctx, tx, by, "request.approve_retry", r.Ref, "")
		}
		r.State, r.ApproverID, r.issueKey = StateIssuing, by.ID, IssueKey(r.Ref)
		return s.save(ctx, tx, by, &r, actApproved, "", "")
	})
	return r, err
}

// issueDraft calls the issuer for r's kind under r's key.
func (s *Service) issueDraft(ctx context.Context, r Request) (Certificate, error) {
	d := r.Draft
	switch {
	case r.Kind == KindBuilding && d.Building != nil:
		return s.issuer.IssueBuilding(ctx, r.issueKey, *d.Building, d.RecordIDs())
	case r.Kind == KindCraft && d.Craft != nil:
		return s.issuer.IssueCraft(ctx, r.issueKey, *d.Craft, d.RecordIDs())
	case r.Kind == KindCopy && d.Copy != nil && len(d.Records) == 1:
		return s.issuer.IssueCopy(ctx, r.issueKey, *d.Copy, d.Records[0].RecordID)
	}
	return Certificate{}, fmt.Errorf("requests: the draft of %s does not fit its kind %s",
		r.Ref, r.Kind)
}

// issueRefused puts a request whose draft the issuer refused back to
// awaiting approval, with the issuer's reason for the staff, and returns
// that reason. The event's staff note is the reason's catalog key, not its
// English text: the timeline is read in Arabic too, and translates it.
func (s *Service) issueRefused(ctx context.Context, by Actor, r Request, cause error) error {
	msg, _ := sijil.UserMessage(cause)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := loadRequest(ctx, tx, r.Ref)
		if err != nil {
			return err
		}
		if cur.State != StateIssuing {
			return errCannot(actIssueFailed, cur.State)
		}
		cur.State, cur.ApproverID, cur.issueKey = StateAwaitingApproval, "", ""
		return s.save(ctx, tx, by, &cur, actIssueFailed, "", msg)
	})
	if err != nil {
		return err
	}
	return cause
}

// finishIssuing records the certificate on the request and tells the
// citizen it is ready. The certificate is recorded even if a concurrent
// retry already did, as long as it is the same one.
func (s *Service) finishIssuing(ctx context.Context, by Actor, r Request,
	cert Certificate) (Request, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := loadRequest(ctx, tx, r.Ref)
		if err != nil {
			return err
		}
		if cur.State == StateIssued && cur.CertID == cert.ID {
			r = cur
			return nil
		}
		if cur.State != StateIssuing {
			return errCannot(actIssued, cur.State)
		}
		cur.State, cur.CertID, cur.PDFKey, cur.IssuedAt = StateIssued, cert.ID, cert.PDFKey,
			s.clock()
		if err := s.save(ctx, tx, by, &cur, actIssued, "", ""); err != nil {
			return err
		}
		r = cur
		return nil
	})
	if err != nil {
		return Request{}, err
	}

	s.log.Info("certificate issued for a request", "request_ref", r.Ref, "cert_id", r.CertID)
	s.notify(ctx, Notice{UserID: r.OwnerID, Key: "requests.notice_" + actIssued,
		Params: map[string]string{"ref": r.Ref, "state": string(r.State)}})
	return r.viewFor(by), nil
}

// CertificatePDF opens the PDF of the certificate issued for the request
// ref; the caller closes it. The citizen who made the request and staff
// may download it; anyone else gets NotFound. A request not issued yet is
// a Conflict.
func (s *Service) CertificatePDF(ctx context.Context, by Actor, ref string) (Request,
	io.ReadCloser, error) {
	var r Request
	err := s.readFor(ctx, by, ref, "request.view_certificate", func(tx *sql.Tx,
		got Request) error {
		r = got.viewFor(by)
		if got.State != StateIssued || got.PDFKey == "" {
			return sijil.Errorf(sijil.Conflict, "requests.not_issued",
				"The certificate of this request has not been issued yet.")
		}
		return nil
	})
	if err != nil {
		return Request{}, nil, err
	}
	rc, err := s.blobs.Get(ctx, r.PDFKey)
	if err != nil {
		return Request{}, nil, fmt.Errorf("requests: open certificate of %s: %w", r.Ref, err)
	}
	return r, rc, nil
}

// CertificateRevoked puts the revocation of the request's certificate on
// its timeline with the public reason code (issued_in_error, …) and tells
// the citizen, whose paper no longer verifies. certs revokes the
// certificate itself, with its log leaf, before; a supervisor only.
func (s *Service) CertificateRevoked(ctx context.Context, by Actor, ref,
	reason string) (Request, error) {
	return s.move(ctx, by, ref, step{action: actCertRevoked, who: RoleSupervisor,
		from: []State{StateIssued}, note: reason})
}

// CertificateSuperseded makes c, which certs issued in place of the
// request's certificate, the request's own: the request page downloads
// it, and the citizen is told to fetch it. A supervisor only.
func (s *Service) CertificateSuperseded(ctx context.Context, by Actor, ref string,
	c Certificate) (Request, error) {
	return s.move(ctx, by, ref, step{action: actCertSuperseded, who: RoleSupervisor,
		from: []State{StateIssued}, apply: func(r *Request) error {
			r.CertID, r.PDFKey = c.ID, c.PDFKey
			return nil
		}})
}

// Holder is a person as a certificate names them: the citizen who made a
// request, from their account.
type Holder struct {
	Name       string
	NationalID string
}

// StartingDraft returns the draft a clerk's page starts from: the one
// saved on the request, or else the certificate's fields as far as the
// citizen's form states them, with no records linked yet. The clerk checks
// every field against the archive before submitting it.
//
// citizen is the account that made the request. When the form names them
// as the holder (the same name, spacing aside), the holder's national ID
// is theirs: the clerk, who sees it masked everywhere else, confirms it
// rather than types it.
func (r Request) StartingDraft(citizen Holder) Draft {
	if r.Draft != nil {
		return *r.Draft
	}
	idOf := func(holder string) string {
		if citizen.Name != "" && sameName(holder, citizen.Name) {
			return citizen.NationalID
		}
		return ""
	}
	switch f := r.Form.(type) {
	case *BuildingForm:
		asOf := ""
		if f.ApproxYear != "" {
			asOf = f.ApproxYear + "-01-01"
		}
		return Draft{Building: &BuildingDraft{HolderName: f.Owner, HolderID: idOf(f.Owner),
			Parcel: f.Parcel, Plot: f.Plot, Neighbourhood: f.Neighbourhood, Street: f.Street,
			AsOf: asOf}}
	case *CraftForm:
		from, _ := strconv.Atoi(f.FromYear)
		to, _ := strconv.Atoi(f.ToYear)
		return Draft{Craft: &CraftDraft{HolderName: f.Holder, HolderID: idOf(f.Holder),
			LicenceNo: f.LicenceNo, Street: f.ShopAddress, Activity: f.Trade, FromYear: from,
			ToYear: to}}
	case *CopyForm:
		// A copy's cover names who asked for it, the citizen, rather than
		// the parties the document names; both or neither are printed.
		return Draft{Copy: &CopyDraft{HolderName: citizen.Name,
			HolderID: citizen.NationalID}}
	}
	return Draft{}
}

// sameName tells whether two names are one, however they are spaced.
func sameName(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}
