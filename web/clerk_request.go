package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/verify"
)

// officeRequestView is the office's page of one request: what the citizen
// asked, the timeline, the steps open to the person looking, the archive
// search and the draft.
type officeRequestView struct {
	Req      requests.Request
	Owner    accounts.User // name and masked ID only are shown
	Names    map[string]string
	Fields   []clerkField
	Timeline []requests.Event
	Can      clerkSteps
	Clerks   []accounts.User // whom a supervisor may hand the request to
	Me       string

	Search clerkSearch
	Draft  clerkDraft
	// FieldErrs holds the draft's problems by field, translated.
	FieldErrs map[string]string

	Cert    *officeCert
	Reasons []string // the revocation reason codes a supervisor may give

	// Failed names the form whose post failed, so that the page shows its
	// error next to it and keeps what was typed in Typed.
	Failed string
	Typed  string

	// Drafting is set when the draft comes from the form, not the request.
	Drafting bool
}

// clerkField is one line of what the citizen stated.
type clerkField struct {
	Key   string // its label's message key
	Value string
}

// clerkSteps says which forms the page offers. The requests service decides;
// these only spare a person buttons that would be refused anyway.
type clerkSteps struct {
	Take, Assign, Review, Ask, Reject, Draft, Approve, Return, Revoke bool
	Drafter                                                           bool // I drafted it
}

// officeCert is the issued certificate as the office sees it.
type officeCert struct {
	ID          string
	VerifyURL   string
	Revocation  *verify.Revocation
	ReplacedURL string // the verify page of the certificate that superseded it
}

// officeRequest shows a request with the request's own draft. Of the
// query it reads the search and the confirmation only: a draft is never
// drawn from a URL, which would carry the holder's national ID.
func (s *Server) officeRequest(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "ref")
	q := r.URL.Query()
	values := url.Values{"q": q["q"], "done": q["done"]}
	return s.showOfficeRequest(w, r, http.StatusOK, ref, values, nil, "")
}

// officeRedraw draws the request's page again from the posted draft form
// when the clerk pressed one of its page-changing buttons (search, link,
// unlink, more rows); it saves nothing.
func (s *Server) officeRedraw(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "ref")
	if err := r.ParseForm(); err != nil {
		return errUnreadable()
	}

	r.PostForm.Set("drafting", "1")
	r.PostForm.Del("done")
	return s.showOfficeRequest(w, r, http.StatusOK, ref, r.PostForm, nil, "")
}

// showOfficeRequest renders the request page with the draft and search of
// values; failed names the form whose err is shown, if any.
func (s *Server) showOfficeRequest(w http.ResponseWriter, r *http.Request, status int,
	ref string, values url.Values, err error, failed string) error {
	v, lerr := s.officeRequestView(r.Context(), ref)
	if lerr != nil {
		return lerr
	}

	var derr error
	v.Draft, derr = s.draftFrom(r.Context(), v.Req, v.Owner, values)
	v.Drafting = values.Get("drafting") != ""
	v.Search = s.search(r, values.Get("q"), v.Draft)

	// Whether shown after a get, a redraw or a refused step, the page's
	// "come back" link (the language switch) is the request's page.
	p := Page{Title: s.T(r, "clerk.request_title", v.Req.Ref), Data: v,
		Path: "/office/requests/" + url.PathEscape(ref)}
	if key, ok := doneKeys[values.Get("done")]; ok {
		p.Flash = s.T(r, key)
	}
	if err == nil && derr != nil && v.Drafting {
		err, failed = derr, "draft"
	}
	if err != nil {
		s.showRefusal(r, &p, v, err)
		v.Failed, v.Typed = failed, values.Get("note")
	}
	v.Draft.Inputs = s.draftInputs(r, v.Draft, v.FieldErrs)
	s.show(w, r, status, "clerk_request.html", p)
	return nil
}

// officeRequestView loads the request ref with what its page shows
// besides the draft: the timeline, who is who, the steps open to the
// person looking, the certificate.
func (s *Server) officeRequestView(ctx context.Context, ref string) (*officeRequestView,
	error) {
	u := CurrentUser(ctx)
	by := actorOf(u)
	req, err := s.cfg.Requests.Request(ctx, by, ref)
	if err != nil {
		return nil, err
	}
	timeline, err := s.cfg.Requests.Timeline(ctx, by, req.Ref)
	if err != nil {
		return nil, err
	}

	v := &officeRequestView{Req: req, Timeline: timeline, Me: u.ID,
		Fields: formFields(req.Form), Reasons: revokeReasons, FieldErrs: map[string]string{}}
	if v.Owner, err = s.cfg.Accounts.UserByID(ctx, req.OwnerID); err != nil {
		return nil, err
	}
	ids := []string{req.AssigneeID, req.DrafterID, req.ApproverID}
	for _, e := range timeline {
		ids = append(ids, e.ActorID)
	}
	v.Names = s.staffNames(ctx, ids...)
	v.Can = stepsFor(u, req)
	if v.Can.Assign {
		if v.Clerks, err = s.cfg.Accounts.StaffWithRole(ctx, accounts.RoleClerk); err != nil {
			return nil, err
		}
	}
	if v.Cert, err = s.certificate(ctx, req.CertID); err != nil {
		return nil, err
	}
	if v.Cert != nil && v.Cert.Revocation != nil {
		// A certificate revoked or superseded once stays so: nothing more to
		// decide on it here.
		v.Can.Revoke = false
	}
	return v, nil
}

// showRefusal puts a refused step's message at the top of the page, and
// each field's problem next to its field.
func (s *Server) showRefusal(r *http.Request, p *Page, v *officeRequestView, err error) {
	lang := Lang(r.Context())
	s.logFailure(r, statusFor(err), err)
	p.Error = s.userMessage(lang, err)
	for field, fe := range requests.FieldErrors(err) {
		v.FieldErrs[field] = s.userMessage(lang, fe)
	}
	for field, fe := range draftFieldErrors(err) {
		v.FieldErrs[field] = s.userMessage(lang, fe)
	}
	if len(v.FieldErrs) > 0 {
		p.Error = s.T(r, "clerk.fix_fields")
	}
}

// doneKeys are the confirmations a step's redirect asks the page to show.
var doneKeys = map[string]string{
	"taken": "clerk.done_taken", "assigned": "clerk.done_assigned",
	"review": "clerk.done_review", "asked": "clerk.done_asked",
	"rejected": "clerk.done_rejected", "drafted": "clerk.done_drafted",
	"approved": "clerk.done_approved", "returned": "clerk.done_returned",
	"revoked": "clerk.done_revoked", "superseded": "clerk.done_superseded",
}

// stepsFor is what u may do to req now, as the requests service rules it.
func stepsFor(u *accounts.User, req requests.Request) clerkSteps {
	clerk, sup := u.Has(accounts.RoleClerk), u.Has(accounts.RoleSupervisor)
	mine := req.AssigneeID == "" || req.AssigneeID == u.ID
	st := req.State
	beforeDraft := st == requests.StateSubmitted || st == requests.StateInReview ||
		st == requests.StateNeedsInformation || st == requests.StateAnswered
	reviewing := st == requests.StateInReview || st == requests.StateAnswered
	awaiting := st == requests.StateAwaitingApproval || st == requests.StateIssuing
	return clerkSteps{
		Take:   clerk && beforeDraft && req.AssigneeID != u.ID,
		Assign: sup && beforeDraft,
		Review: clerk && st == requests.StateSubmitted && mine,
		Ask:    clerk && reviewing && mine,
		Reject: clerk && mine && (reviewing || st == requests.StateNeedsInformation) ||
			sup && (reviewing || st == requests.StateNeedsInformation ||
				st == requests.StateAwaitingApproval),
		Draft:   clerk && reviewing && mine,
		Approve: sup && awaiting,
		Return:  sup && st == requests.StateAwaitingApproval,
		Revoke:  sup && st == requests.StateIssued && req.CertID != "",
		Drafter: req.DrafterID == u.ID,
	}
}

// certificate is the certificate certID as the office's page shows it;
// nil when none was issued.
func (s *Server) certificate(ctx context.Context, certID string) (*officeCert, error) {
	if certID == "" || s.cfg.Certs == nil {
		return nil, nil
	}
	c, err := s.cfg.Certs.Store.CertificateByID(ctx, certID)
	if err != nil {
		return nil, err
	}
	v := &officeCert{ID: c.ID, VerifyURL: verify.TokenPath + c.Token}
	if s.cfg.Registry != nil {
		held, err := s.cfg.Registry.Certificate(ctx, certID)
		if err != nil {
			return nil, err
		}
		v.Revocation = held.Revocation
	}
	if v.Revocation != nil && v.Revocation.ReplacedBy != "" {
		next, err := s.cfg.Certs.Store.CertificateByID(ctx, v.Revocation.ReplacedBy)
		if err != nil {
			return nil, err
		}
		v.ReplacedURL = verify.TokenPath + next.Token
	}
	return v, nil
}

// formFields lists what the citizen stated, in the form's order.
func formFields(f requests.Form) []clerkField {
	var rows []clerkField
	add := func(key, v string) {
		if v != "" {
			rows = append(rows, clerkField{"clerk.form_" + key, v})
		}
	}
	switch f := f.(type) {
	case *requests.BuildingForm:
		add("parcel", f.Parcel)
		add("plot", f.Plot)
		add("neighbourhood", f.Neighbourhood)
		add("street", f.Street)
		add("owner", f.Owner)
		add("approx_year", f.ApproxYear)
		add("purpose", f.Purpose)
	case *requests.CraftForm:
		add("shop_address", f.ShopAddress)
		add("trade", f.Trade)
		add("licence_no", f.LicenceNo)
		add("holder", f.Holder)
		add("from_year", f.FromYear)
		add("to_year", f.ToYear)
	case *requests.CopyForm:
		add("document_type", f.DocumentType)
		add("reference_no", f.ReferenceNo)
		add("approx_year", f.ApproxYear)
		add("parties", f.Parties)
		add("description", f.Description)
	}
	return rows
}

// officeStep runs one step on the request of the URL and sends the
// browser back to its page; a refused step shows the page with the
// refusal next to its form.
func (s *Server) officeStep(w http.ResponseWriter, r *http.Request, form, done string,
	do func(ctx context.Context, by requests.Actor, ref string) error) error {
	ref := chi.URLParam(r, "ref")
	if err := r.ParseForm(); err != nil {
		return errUnreadable()
	}
	err := do(r.Context(), actorOf(CurrentUser(r.Context())), ref)
	if err == nil {
		http.Redirect(w, r, "/office/requests/"+url.PathEscape(ref)+"?done="+done,
			http.StatusSeeOther)
		return nil
	}
	switch sijil.KindOf(err) {
	case sijil.Internal, sijil.NotFound:
		return err
	}
	return s.showOfficeRequest(w, r, statusFor(err), ref, r.PostForm, err, form)
}

// officeTake is a clerk taking the request as theirs.
func (s *Server) officeTake(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "take", "taken",
		func(ctx context.Context, by requests.Actor, ref string) error {
			_, err := s.cfg.Requests.Assign(ctx, by, ref, by)
			return err
		})
}

// officeAssign is a supervisor handing the request to a clerk.
func (s *Server) officeAssign(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "assign", "assigned",
		func(ctx context.Context, by requests.Actor, ref string) error {
			to, err := s.cfg.Accounts.UserByID(ctx, r.PostFormValue("to"))
			// Only an account that is not there is the supervisor's to fix;
			// a database that fails is ours, and must say so.
			if sijil.KindOf(err) == sijil.NotFound {
				return sijil.Errorf(sijil.Invalid, "clerk.pick_clerk", "Pick a clerk.")
			}
			if err != nil {
				return err
			}
			_, err = s.cfg.Requests.Assign(ctx, by, ref, actorOf(&to))
			return err
		})
}

func (s *Server) officeStartReview(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "review", "review",
		func(ctx context.Context, by requests.Actor, ref string) error {
			_, err := s.cfg.Requests.StartReview(ctx, by, ref)
			return err
		})
}

func (s *Server) officeAsk(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "ask", "asked",
		func(ctx context.Context, by requests.Actor, ref string) error {
			_, err := s.cfg.Requests.AskForInformation(ctx, by, ref, r.PostFormValue("note"))
			return err
		})
}

func (s *Server) officeReject(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "reject", "rejected",
		func(ctx context.Context, by requests.Actor, ref string) error {
			_, err := s.cfg.Requests.Reject(ctx, by, ref, r.PostFormValue("note"))
			return err
		})
}

func (s *Server) officeApprove(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "approve", "approved",
		func(ctx context.Context, by requests.Actor, ref string) error {
			_, err := s.cfg.Requests.Approve(ctx, by, ref)
			return err
		})
}

func (s *Server) officeReturn(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "return", "returned",
		func(ctx context.Context, by requests.Actor, ref string) error {
			_, err := s.cfg.Requests.ReturnDraft(ctx, by, ref, r.PostFormValue("note"))
			return err
		})
}

// officeRequestFile sends a supporting file of the request.
func (s *Server) officeRequestFile(w http.ResponseWriter, r *http.Request) error {
	f, body, err := s.cfg.Requests.RequestFile(r.Context(), actorOf(CurrentUser(r.Context())),
		chi.URLParam(r, "ref"), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	defer body.Close()
	return s.sendAttachment(w, r, f.Name, f.ContentType, f.Size, body)
}

// officeCertificatePDF sends the PDF of the request's certificate.
func (s *Server) officeCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	req, body, err := s.cfg.Requests.CertificatePDF(r.Context(),
		actorOf(CurrentUser(r.Context())), chi.URLParam(r, "ref"))
	if err != nil {
		return err
	}
	defer body.Close()
	return s.sendAttachment(w, r, req.CertID+".pdf", requests.TypePDF, -1, body)
}

// revokeReasons are the public reason codes a supervisor may revoke with;
// superseded is given by superseding, not chosen.
var revokeReasons = slices.DeleteFunc([]string{verify.ReasonIssuedInErr,
	verify.ReasonFactsChanged, verify.ReasonCourtOrder, verify.ReasonFraud},
	func(r string) bool { return !verify.ValidReason(r) })
