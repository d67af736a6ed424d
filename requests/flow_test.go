package requests_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/requests"
)

// reach returns a new request of amal's brought to state st by the usual
// steps: clerk reviews and drafts, super approves.
func (e *env) reach(t *testing.T, st requests.State) requests.Request {
	t.Helper()
	ctx := context.Background()
	r := e.submit(t, amal)
	path := map[requests.State][]func() (requests.Request, error){
		requests.StateSubmitted: nil,
		requests.StateInReview: {func() (requests.Request, error) {
			return e.svc.StartReview(ctx, clerk, r.Ref)
		}},
	}
	review := path[requests.StateInReview]
	ask := append(slices.Clone(review), func() (requests.Request, error) {
		return e.svc.AskForInformation(ctx, clerk, r.Ref, "Do you have the old deed number?")
	})
	answer := append(slices.Clone(ask), func() (requests.Request, error) {
		return e.svc.Answer(ctx, amal, r.Ref, "No, it burnt.", nil)
	})
	draft := append(slices.Clone(review), func() (requests.Request, error) {
		return e.svc.SubmitDraft(ctx, clerk, r.Ref, buildingDraft())
	})
	path[requests.StateNeedsInformation] = ask
	path[requests.StateAnswered] = answer
	path[requests.StateAwaitingApproval] = draft
	path[requests.StateIssued] = append(slices.Clone(draft), func() (requests.Request, error) {
		return e.svc.Approve(ctx, super, r.Ref)
	})
	path[requests.StateRejected] = append(slices.Clone(review), func() (requests.Request, error) {
		return e.svc.Reject(ctx, clerk, r.Ref, "No record of this parcel survived.")
	})
	steps, ok := path[st]
	if !ok {
		t.Fatalf("no path to %s", st)
	}
	for _, step := range steps {
		r = must(t)(step())
	}
	if r.State != st {
		t.Fatalf("reached %s, want %s", r.State, st)
	}
	return r
}

// TestEveryTransition takes each step from each state: the allowed ones
// reach their state, every other is a Conflict naming the step.
func TestEveryTransition(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	type action struct {
		name  string
		do    func(ref string) (requests.Request, error)
		legal map[requests.State]requests.State // from → to
	}
	actions := []action{
		{"review_started", func(ref string) (requests.Request, error) {
			return e.svc.StartReview(ctx, clerk, ref)
		}, map[requests.State]requests.State{requests.StateSubmitted: requests.StateInReview}},
		{"information_requested", func(ref string) (requests.Request, error) {
			return e.svc.AskForInformation(ctx, clerk, ref, "Which street?")
		}, map[requests.State]requests.State{
			requests.StateInReview: requests.StateNeedsInformation,
			requests.StateAnswered: requests.StateNeedsInformation}},
		{"answered", func(ref string) (requests.Request, error) {
			return e.svc.Answer(ctx, amal, ref, "Sea street.", nil)
		}, map[requests.State]requests.State{
			requests.StateNeedsInformation: requests.StateAnswered}},
		{"draft_submitted", func(ref string) (requests.Request, error) {
			return e.svc.SubmitDraft(ctx, clerk, ref, buildingDraft())
		}, map[requests.State]requests.State{
			requests.StateInReview: requests.StateAwaitingApproval,
			requests.StateAnswered: requests.StateAwaitingApproval}},
		{"draft_returned", func(ref string) (requests.Request, error) {
			return e.svc.ReturnDraft(ctx, super, ref, "The floor areas do not add up.")
		}, map[requests.State]requests.State{
			requests.StateAwaitingApproval: requests.StateInReview}},
		{"approved", func(ref string) (requests.Request, error) {
			return e.svc.Approve(ctx, super, ref)
		}, map[requests.State]requests.State{
			requests.StateAwaitingApproval: requests.StateIssued}},
		{"rejected", func(ref string) (requests.Request, error) {
			return e.svc.Reject(ctx, clerk, ref, "Not in the archive.")
		}, map[requests.State]requests.State{
			requests.StateInReview:         requests.StateRejected,
			requests.StateNeedsInformation: requests.StateRejected,
			requests.StateAnswered:         requests.StateRejected,
			requests.StateAwaitingApproval: requests.StateRejected}},
	}
	from := []requests.State{requests.StateSubmitted, requests.StateInReview,
		requests.StateNeedsInformation, requests.StateAnswered,
		requests.StateAwaitingApproval, requests.StateIssued, requests.StateRejected}

	for _, a := range actions {
		for _, st := range from {
			t.Run(a.name+"_from_"+string(st), func(t *testing.T) {
				r := e.reach(t, st)
				got, err := a.do(r.Ref)
				want, legal := a.legal[st]
				if !legal {
					wantKind(t, err, sijil.Conflict, "requests.cannot_"+a.name)
					after, err := e.svc.Request(ctx, amal, r.Ref)
					if err != nil || after.State != st {
						t.Fatalf("after a refused step: state %s, %v; want %s", after.State,
							err, st)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", a.name, st, err)
				}
				if got.State != want {
					t.Fatalf("%s from %s: state %s, want %s", a.name, st, got.State, want)
				}
			})
		}
	}
}

// TestStepsNeedTheirRole checks who may take each step.
func TestStepsNeedTheirRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		do   func() error
		kind sijil.Kind
		key  string
	}{
		{"citizen cannot start a review", func() error {
			_, err := e.svc.StartReview(ctx, amal, e.submit(t, amal).Ref)
			return err
		}, sijil.Forbidden, "requests.clerk_only"},
		{"supervisor cannot draft", func() error {
			r := e.reach(t, requests.StateInReview)
			_, err := e.svc.SubmitDraft(ctx, super, r.Ref, buildingDraft())
			return err
		}, sijil.Forbidden, "requests.clerk_only"},
		{"clerk cannot approve", func() error {
			_, err := e.svc.Approve(ctx, clerk2, e.drafted(t).Ref)
			return err
		}, sijil.Forbidden, "requests.supervisor_only"},
		{"staff cannot answer for the citizen", func() error {
			r := e.reach(t, requests.StateNeedsInformation)
			_, err := e.svc.Answer(ctx, clerk, r.Ref, "made up", nil)
			return err
		}, sijil.Forbidden, "requests.citizen_only"},
		{"archivist cannot read a request", func() error {
			_, err := e.svc.Request(ctx, archivis, e.submit(t, amal).Ref)
			return err
		}, sijil.Forbidden, "requests.staff_only"},
		{"staff cannot submit", func() error {
			_, err := e.svc.Submit(ctx, clerk, buildingForm(), nil)
			return err
		}, sijil.Forbidden, "requests.citizen_only"},
		{"another clerk cannot draft an assigned request", func() error {
			r := e.reach(t, requests.StateInReview)
			_, err := e.svc.SubmitDraft(ctx, clerk2, r.Ref, buildingDraft())
			return err
		}, sijil.Forbidden, "requests.not_assignee"},
		{"only a clerk is assigned", func() error {
			_, err := e.svc.Assign(ctx, super, e.submit(t, amal).Ref, super)
			return err
		}, sijil.Invalid, "requests.assignee_not_clerk"},
		{"a draft of another kind is refused", func() error {
			r := e.reach(t, requests.StateInReview)
			d := buildingDraft()
			d.Building, d.Craft = nil, &requests.CraftDraft{HolderName: "x", HolderID: "1",
				ShopName: "x", Activity: "x"}
			_, err := e.svc.SubmitDraft(ctx, clerk, r.Ref, d)
			return err
		}, sijil.Invalid, "requests.draft_kind_mismatch"},
		{"a draft without records is refused", func() error {
			r := e.reach(t, requests.StateInReview)
			d := buildingDraft()
			d.Records = nil
			_, err := e.svc.SubmitDraft(ctx, clerk, r.Ref, d)
			return err
		}, sijil.Invalid, "requests.draft_records_required"},
		{"another clerk cannot reject an assigned request", func() error {
			r := e.reach(t, requests.StateInReview)
			_, err := e.svc.Reject(ctx, clerk2, r.Ref, "Not found.")
			return err
		}, sijil.Forbidden, "requests.not_assignee"},
		{"a rejection needs a reason", func() error {
			r := e.reach(t, requests.StateInReview)
			_, err := e.svc.Reject(ctx, clerk, r.Ref, "  ")
			return err
		}, sijil.Invalid, "requests.reason_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantKind(t, tt.do(), tt.kind, tt.key)
		})
	}

	t.Run("a supervisor reassigns, and the new clerk drafts", func(t *testing.T) {
		r := e.reach(t, requests.StateInReview)
		r = must(t)(e.svc.Assign(ctx, super, r.Ref, clerk2))
		r = must(t)(e.svc.SubmitDraft(ctx, clerk2, r.Ref, buildingDraft()))
		if r.DrafterID != clerk2.ID || r.AssigneeID != clerk2.ID {
			t.Fatalf("drafter %q assignee %q, want %q", r.DrafterID, r.AssigneeID, clerk2.ID)
		}
	})
}

// TestTwoPersonRule: whoever drafted may not approve, even holding both
// roles; another supervisor may.
func TestTwoPersonRule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.submit(t, amal)
	must(t)(e.svc.StartReview(ctx, both, r.Ref))
	must(t)(e.svc.SubmitDraft(ctx, both, r.Ref, buildingDraft()))

	_, err := e.svc.Approve(ctx, both, r.Ref)
	wantKind(t, err, sijil.Forbidden, "requests.two_person_rule")
	if e.issuer.count() != 0 {
		t.Fatalf("the drafter's approval issued %d certificates", e.issuer.count())
	}

	r = must(t)(e.svc.Approve(ctx, super, r.Ref))
	if r.State != requests.StateIssued || r.ApproverID != super.ID || r.DrafterID != both.ID {
		t.Fatalf("got %s approved by %q drafted by %q", r.State, r.ApproverID, r.DrafterID)
	}
}

// TestApprovalIssuesOnce: a retried, repeated or raced approval never
// makes a second certificate.
func TestApprovalIssuesOnce(t *testing.T) {
	ctx := context.Background()

	t.Run("approving twice", func(t *testing.T) {
		e := newEnv(t)
		r := e.drafted(t)
		first := must(t)(e.svc.Approve(ctx, super, r.Ref))
		_, err := e.svc.Approve(ctx, super, r.Ref)
		wantKind(t, err, sijil.Conflict, "requests.cannot_approved")
		if e.issuer.count() != 1 || first.CertID != "CERT-0001" {
			t.Fatalf("issued %d, cert %q; want 1, CERT-0001", e.issuer.count(), first.CertID)
		}
	})

	t.Run("a crash after issuing resumes under the same key", func(t *testing.T) {
		e := newEnv(t)
		r := e.drafted(t)
		e.issuer.failAfterIssue = true
		_, err := e.svc.Approve(ctx, super, r.Ref)
		wantKind(t, err, sijil.Unavailable, "requests.issue_unavailable")
		got := must(t)(e.svc.Request(ctx, clerk, r.Ref))
		if got.State != requests.StateIssuing || got.CertID != "" {
			t.Fatalf("after the crash: %s with cert %q, want issuing and none", got.State,
				got.CertID)
		}

		// Another supervisor resumes; the drafter still may not.
		_, err = e.svc.Approve(ctx, clerk, r.Ref)
		wantKind(t, err, sijil.Forbidden, "requests.supervisor_only")
		got = must(t)(e.svc.Approve(ctx, requests.Staff("u-super2", "supervisor"), r.Ref))
		if got.State != requests.StateIssued || got.CertID != "CERT-0001" ||
			e.issuer.count() != 1 {
			t.Fatalf("resumed: %s cert %q after %d issues; want issued CERT-0001 after 1",
				got.State, got.CertID, e.issuer.count())
		}
	})

	t.Run("a refused draft goes back to awaiting approval", func(t *testing.T) {
		e := newEnv(t)
		r := e.drafted(t)
		e.issuer.refuse = true
		_, err := e.svc.Approve(ctx, super, r.Ref)
		wantKind(t, err, sijil.Invalid, "certs.unknown_record")
		got := must(t)(e.svc.Request(ctx, clerk, r.Ref))
		if got.State != requests.StateAwaitingApproval || e.issuer.count() != 0 {
			t.Fatalf("after refusal: %s, %d issued", got.State, e.issuer.count())
		}
		tl, err := e.svc.Timeline(ctx, super, r.Ref)
		if err != nil {
			t.Fatal(err)
		}
		last := tl[len(tl)-1]
		if last.Action != "issue_failed" || last.StaffNote != "certs.unknown_record" {
			t.Fatalf("last event %+v, want issue_failed with the refusal's message key", last)
		}
		mine, err := e.svc.Timeline(ctx, amal, r.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if last := mine[len(mine)-1]; last.Action != "draft_submitted" {
			t.Fatalf("the citizen's timeline ends with %+v, want the draft", last)
		}
		must(t)(e.svc.Approve(ctx, super, r.Ref))
		if e.issuer.count() != 1 {
			t.Fatalf("issued %d after the retry, want 1", e.issuer.count())
		}
	})

	t.Run("two supervisors at once", func(t *testing.T) {
		e := newEnv(t)
		r := e.drafted(t)
		var wg sync.WaitGroup
		results := make([]requests.Request, 4)
		errs := make([]error, 4)
		for i := range results {
			wg.Go(func() {
				sup := requests.Staff("u-sup-"+string(rune('a'+i)), "supervisor")
				results[i], errs[i] = e.svc.Approve(ctx, sup, r.Ref)
			})
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			if err == nil {
				ok++
				if results[i].CertID != "CERT-0001" {
					t.Errorf("approval %d got cert %q", i, results[i].CertID)
				}
				continue
			}
			if k := sijil.KindOf(err); k != sijil.Conflict {
				t.Errorf("approval %d: %v (kind %v), want success or Conflict", i, err, k)
			}
		}
		got := must(t)(e.svc.Request(ctx, amal, r.Ref))
		if ok == 0 || e.issuer.count() != 1 || got.CertID != "CERT-0001" {
			t.Fatalf("%d approvals succeeded, %d certificates, request holds %q", ok,
				e.issuer.count(), got.CertID)
		}
	})
}

// TestCitizenDownloadsTheCertificate: the owner gets the PDF once issued;
// nobody else's reach shows it exists.
func TestCitizenDownloadsTheCertificate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.drafted(t)
	_, _, err := e.svc.CertificatePDF(ctx, amal, r.Ref)
	wantKind(t, err, sijil.Conflict, "requests.not_issued")

	must(t)(e.svc.Approve(ctx, super, r.Ref))
	got, rc, err := e.svc.CertificatePDF(ctx, amal, r.Ref)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.HasPrefix(string(body), "%PDF-") || !strings.Contains(string(body), got.CertID) {
		t.Fatalf("downloaded %q for %s", body, got.CertID)
	}
	_, _, err = e.svc.CertificatePDF(ctx, basel, r.Ref)
	wantKind(t, err, sijil.NotFound, "requests.not_found")
}

// TestOwnershipIsNotFound: another citizen's request, its timeline, its
// files and the steps on it answer exactly as a request that does not
// exist.
func TestOwnershipIsNotFound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r, err := e.svc.Submit(ctx, amal, buildingForm(), []requests.Upload{
		{Name: "deed.png", Body: strings.NewReader(string(pngBytes(t)))}})
	if err != nil {
		t.Fatal(err)
	}
	mine := must(t)(e.svc.Request(ctx, amal, r.Ref))
	if len(mine.Files) != 1 {
		t.Fatalf("the owner sees %d files, want 1", len(mine.Files))
	}
	fileID := mine.Files[0].ID
	must(t)(e.svc.StartReview(ctx, clerk, r.Ref))
	must(t)(e.svc.AskForInformation(ctx, clerk, r.Ref, "Which floor?"))

	missing := "B-2026-0000-0000"
	for _, ref := range []string{r.Ref, missing, "not-a-ref"} {
		tests := map[string]func() error{
			"request": func() error { _, err := e.svc.Request(ctx, basel, ref); return err },
			"timeline": func() error {
				_, err := e.svc.Timeline(ctx, basel, ref)
				return err
			},
			"file": func() error {
				_, _, err := e.svc.RequestFile(ctx, basel, ref, fileID)
				return err
			},
			"answer": func() error {
				_, err := e.svc.Answer(ctx, basel, ref, "hijack", nil)
				return err
			},
			"certificate": func() error {
				_, _, err := e.svc.CertificatePDF(ctx, basel, ref)
				return err
			},
		}
		for name, do := range tests {
			t.Run(name+" "+ref, func(t *testing.T) {
				wantKind(t, do(), sijil.NotFound, "requests.not_found")
			})
		}
	}
	if list, err := e.svc.MyRequests(ctx, basel); err != nil || len(list) != 0 {
		t.Fatalf("basel lists %v, %v; want none", list, err)
	}
	got := must(t)(e.svc.Request(ctx, amal, r.Ref))
	if got.State != requests.StateNeedsInformation {
		t.Fatalf("after basel's tries amal's request is %s", got.State)
	}
}

// TestTimelineShowsTheCitizenRolesOnly: the citizen sees each step, by
// role, with public notes; staff also see who and their notes. Each step
// the citizen is told of sends a notice.
func TestTimelineShowsTheCitizenRolesOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.submit(t, amal)
	must(t)(e.svc.StartReview(ctx, clerk, r.Ref))
	must(t)(e.svc.AskForInformation(ctx, clerk, r.Ref, "Which floor is yours?"))
	must(t)(e.svc.Answer(ctx, amal, r.Ref, "The second.", nil))
	must(t)(e.svc.SubmitDraft(ctx, clerk, r.Ref, buildingDraft()))
	must(t)(e.svc.ReturnDraft(ctx, super, r.Ref, "Check the area of floor 0."))
	must(t)(e.svc.SubmitDraft(ctx, clerk, r.Ref, buildingDraft()))
	must(t)(e.svc.Approve(ctx, super, r.Ref))

	tl, err := e.svc.Timeline(ctx, amal, r.Ref)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range tl {
		got = append(got, ev.Action+"/"+ev.ByRole+"/"+ev.Note)
		if ev.ActorID != "" || ev.StaffNote != "" {
			t.Errorf("the citizen sees staff details in %+v", ev)
		}
	}
	want := []string{"submitted/citizen/", "review_started/clerk/",
		"information_requested/clerk/Which floor is yours?", "answered/citizen/The second.",
		"draft_submitted/clerk/", "draft_returned/supervisor/", "draft_submitted/clerk/",
		"issued/supervisor/"}
	if !slices.Equal(got, want) {
		t.Fatalf("timeline\n got %q\nwant %q", got, want)
	}

	staff, err := e.svc.Timeline(ctx, super, r.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if staff[5].StaffNote != "Check the area of floor 0." || staff[1].ActorID != clerk.ID {
		t.Fatalf("staff timeline lacks the note or the actor: %+v %+v", staff[5], staff[1])
	}

	gotNotices := e.notices.keysFor(amal.ID, r.Ref)
	wantNotices := []string{"requests.notice_submitted", "requests.notice_review_started",
		"requests.notice_information_requested", "requests.notice_answered",
		"requests.notice_draft_submitted", "requests.notice_draft_submitted",
		"requests.notice_issued"}
	if !slices.Equal(gotNotices, wantNotices) {
		t.Fatalf("notices\n got %q\nwant %q", gotNotices, wantNotices)
	}
}

// TestStaffViewsAndDecisionsAreAudited: a clerk's reading of a request and
// a supervisor's approval are in the audit trail; a citizen's own reading
// is not.
func TestStaffViewsAndDecisionsAreAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.drafted(t)
	must(t)(e.svc.Request(ctx, amal, r.Ref))
	must(t)(e.svc.Request(ctx, clerk2, r.Ref))
	must(t)(e.svc.Approve(ctx, super, r.Ref))

	page, err := audit.Find(ctx, e.db, audit.Filter{ObjectKind: "request", ObjectID: r.Ref})
	if err != nil {
		t.Fatal(err)
	}
	var seq []string // oldest first; Find pages newest first
	for _, ev := range slices.Backward(page.Events) {
		seq = append(seq, ev.Action+"/"+ev.ActorID+"/"+ev.ActorRole)
	}
	want := []string{"request.submit/u-amal/citizen", "request.review_started/u-clerk/clerk",
		"request.draft_submitted/u-clerk/clerk", "request.view/u-clerk2/clerk",
		"request.approved/u-super/supervisor", "request.issued/u-super/supervisor"}
	if !slices.Equal(seq, want) {
		t.Fatalf("audit\n got %q\nwant %q", seq, want)
	}
}

// TestFeesAreRefused: the service is free; a fee is an explicit error,
// not ignored.
func TestFeesAreRefused(t *testing.T) {
	e := newEnv(t)
	_, err := requests.New(requests.Config{DB: e.db, Blobs: e.blobs, Issuer: e.issuer,
		Notifier: e.notices, Fees: requests.Fees{requests.KindBuilding: 500}})
	wantKind(t, err, sijil.Invalid, "requests.fees_not_supported")
	if _, err := requests.New(requests.Config{DB: e.db, Blobs: e.blobs, Issuer: e.issuer,
		Notifier: e.notices, Fees: requests.Fees{requests.KindBuilding: 0}}); err != nil {
		t.Fatalf("zero fees refused: %v", err)
	}
}

// TestStartingDraftComesFromTheForm: a clerk's draft starts from what the
// citizen stated, and from the saved draft once there is one.
func TestStartingDraftComesFromTheForm(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := must(t)(e.svc.Request(ctx, clerk, e.submit(t, amal).Ref))
	d := r.StartingDraft(requests.Holder{Name: "أمل  حداد", NationalID: "123456782"})
	if d.Building == nil || d.Building.Parcel != "1234" || d.Building.HolderName != "أمل حداد" ||
		d.Building.AsOf != "1998-01-01" || len(d.Records) != 0 {
		t.Fatalf("starting draft %+v", d.Building)
	}
	// The citizen named as the holder: the ID the clerk needs is theirs.
	if d.Building.HolderID != "123456782" {
		t.Errorf("the holder is the citizen, yet the draft's holder ID is %q",
			d.Building.HolderID)
	}
	// Someone else named as the holder: their ID is not the citizen's.
	other := r.StartingDraft(requests.Holder{Name: "يوسف حداد", NationalID: "123456782"})
	if other.Building.HolderID != "" {
		t.Errorf("the holder is not the citizen, yet the draft's holder ID is %q",
			other.Building.HolderID)
	}

	craft, err := e.svc.Submit(ctx, basel, &requests.CraftForm{ShopAddress: "سوق الذهب ١٢",
		Trade: "صياغة", Holder: "باسل", FromYear: "١٩٨٠", ToYear: "2011"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := must(t)(e.svc.Request(ctx, clerk, craft.Ref)).StartingDraft(
		requests.Holder{Name: "باسل", NationalID: "123456782"}).Craft
	if c == nil || c.Activity != "صياغة" || c.FromYear != 1980 || c.ToYear != 2011 ||
		c.HolderID != "123456782" {
		t.Fatalf("craft starting draft %+v", c)
	}

	// A copy is printed as asked for by the citizen, with their ID, not by
	// the parties the document names.
	cp, err := e.svc.Submit(ctx, basel, &requests.CopyForm{DocumentType: "عقد بيع",
		Parties: "يوسف وسليم"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := must(t)(e.svc.Request(ctx, clerk, cp.Ref)).StartingDraft(
		requests.Holder{Name: "باسل", NationalID: "123456782"}).Copy
	if k == nil || k.HolderName != "باسل" || k.HolderID != "123456782" {
		t.Fatalf("copy starting draft %+v, want the citizen who asked", k)
	}

	must(t)(e.svc.StartReview(ctx, clerk, r.Ref))
	saved := buildingDraft()
	saved.Building.HolderName = "أمل يوسف حداد"
	must(t)(e.svc.SubmitDraft(ctx, clerk, r.Ref, saved))
	r = must(t)(e.svc.Request(ctx, super, r.Ref))
	if got := r.StartingDraft(requests.Holder{}); got.Building.HolderName != "أمل يوسف حداد" ||
		len(got.Records) != 1 {
		t.Fatalf("after drafting, the starting draft is %+v", got)
	}
}

// TestSubmitDraftRefusesWhatTheIssuerWould: a draft the issuer would
// refuse was sent for approval, and only the supervisor learnt of it.
func TestSubmitDraftRefusesWhatTheIssuerWould(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.submit(t, amal)
	must(t)(e.svc.StartReview(ctx, clerk, r.Ref))

	d := buildingDraft()
	d.Building.Plot = ""
	_, err := e.svc.SubmitDraft(ctx, clerk, r.Ref, d)
	wantKind(t, err, sijil.Invalid, "certs.field_required")
	fields := requests.FieldErrors(err)
	if fe := fields["draft_plot"]; fe == nil || fe.Key != "certs.field_required" {
		t.Fatalf("field problems %v, want the plot's refusal on draft_plot", fields)
	}
	got := must(t)(e.svc.Request(ctx, clerk, r.Ref))
	if got.State != requests.StateInReview || got.Draft != nil {
		t.Fatalf("after a refused draft: %s with draft %v, want in review with none",
			got.State, got.Draft)
	}

	// The issuer's own names are not the draft form's: at approval, its
	// refusal names no field of any form, and stays atop the page.
	certsNamed := sijil.Errorf(sijil.Invalid, "certs.field_required", "plot").In("plot")
	if fields := requests.FieldErrors(certsNamed); len(fields) != 0 {
		t.Errorf("an issuer's refusal at approval maps to fields %v, want none", fields)
	}

	got = must(t)(e.svc.SubmitDraft(ctx, clerk, r.Ref, buildingDraft()))
	if got.State != requests.StateAwaitingApproval {
		t.Fatalf("a good draft: %s, want awaiting approval", got.State)
	}
}

// TestCertificateEndsOnlyOnIssued: a revocation or a replacement goes on
// the timeline of an issued request only, by a supervisor only.
func TestCertificateEndsOnlyOnIssued(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.submit(t, amal)

	_, err := e.svc.CertificateRevoked(ctx, super, r.Ref, "issued_in_error")
	wantKind(t, err, sijil.Conflict, "requests.cannot_certificate_revoked")
	_, err = e.svc.CertificateSuperseded(ctx, super, r.Ref,
		requests.Certificate{ID: "X", PDFKey: "k"})
	wantKind(t, err, sijil.Conflict, "requests.cannot_certificate_superseded")
	_, err = e.svc.CertificateRevoked(ctx, clerk, r.Ref, "issued_in_error")
	wantKind(t, err, sijil.Forbidden, "requests.supervisor_only")
}
