package certsissuer_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/requests/certsissuer"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPostgres runs the tests again on PostgreSQL, where racing issuers
// really commit at once.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t, TestRetryFindsTheCertificate, TestRacingCallsIssueOnce,
		TestApprovalIssuesThroughCerts)
}

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const recordSHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// office is a real certificate office whose database also holds the
// requests and audit tables.
func office(t *testing.T) (*certstest.Office, *certsissuer.Issuer) {
	t.Helper()
	o := certstest.New(t, now, certstest.Records{"rec-1": recordSHA})
	dialect := sijil.DialectSQLite
	if pgtest.Requested(t) {
		dialect = sijil.DialectPostgres
	}
	ctx := context.Background()
	if err := audit.Migrate(ctx, o.DB, dialect); err != nil {
		t.Fatal(err)
	}
	if err := requests.Migrate(ctx, o.DB, dialect); err != nil {
		t.Fatal(err)
	}
	return o, certsissuer.New(o.DB, o.Issuer)
}

func building() requests.BuildingDraft {
	return requests.BuildingDraft{HolderName: "أمل حداد", HolderID: "123456782",
		Parcel: "1234", Plot: "7", Neighbourhood: "الرمل", Street: "شارع البحر",
		ZoningStatus: "مرخص", AsOf: "1998-01-01",
		Floors: []requests.FloorDraft{{Level: "0", AreaM2: "120.5", Use: "تجاري"}}}
}

// certificates counts the certificates certs recorded.
func certificates(t *testing.T, o *certstest.Office) int {
	t.Helper()
	var n int
	if err := o.DB.QueryRow(`SELECT COUNT(*) FROM certificates`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRetryFindsTheCertificate: a second call under a key, as after an
// answer lost to a crash, returns the first certificate and issues none.
func TestRetryFindsTheCertificate(t *testing.T) {
	o, is := office(t)
	ctx := context.Background()
	first, err := is.IssueBuilding(ctx, "k-1", building(), []string{"rec-1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := is.IssueBuilding(ctx, "k-1", building(), []string{"rec-1"})
	if err != nil {
		t.Fatal(err)
	}
	if again != first || certificates(t, o) != 1 {
		t.Fatalf("retry got %+v after %+v, %d certificates", again, first, certificates(t, o))
	}
	stored, err := o.Issuer.Store.CertificateByID(ctx, first.ID)
	if err != nil || stored.PDFKey != first.PDFKey {
		t.Fatalf("certs holds %+v, %v; want PDF %s", stored, err, first.PDFKey)
	}

	other, err := is.IssueBuilding(ctx, "k-2", building(), []string{"rec-1"})
	if err != nil || other.ID == first.ID || certificates(t, o) != 2 {
		t.Fatalf("another key got %+v, %v", other, err)
	}

	// The command line's own issuing, through the unwrapped issuer, is
	// unchanged and records no key.
	if _, err := o.Issuer.IssueBuilding(ctx, certsBuilding()); err != nil {
		t.Fatal(err)
	}
	if n := certificates(t, o); n != 3 {
		t.Fatalf("%d certificates, want 3", n)
	}
}

// TestRacingCallsIssueOnce: calls under one key at the same moment commit
// one certificate, and all of them answer with it.
func TestRacingCallsIssueOnce(t *testing.T) {
	o, is := office(t)
	ctx := context.Background()
	got := make([]requests.Certificate, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			got[i], errs[i] = is.IssueBuilding(ctx, "k-race", building(), []string{"rec-1"})
		})
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Errorf("call %d: %+v, %v; want %+v", i, got[i], errs[i], got[0])
		}
	}
	if n := certificates(t, o); n != 1 {
		t.Fatalf("%d certificates committed under one key", n)
	}
}

// TestApprovalIssuesThroughCerts: the request flow on a real certificate
// office: a lost first answer is found again, a bad draft issues nothing,
// and the citizen downloads the signed PDF.
func TestApprovalIssuesThroughCerts(t *testing.T) {
	o, is := office(t)
	ctx := context.Background()
	svc, err := requests.New(requests.Config{DB: o.DB, Blobs: o.Blobs, Issuer: is,
		Notifier: nopNotifier{}, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	citizen, clerk := requests.Citizen("u-amal"), requests.Staff("u-clerk", "clerk")
	super := requests.Staff("u-super", "supervisor")
	draft := func(d requests.BuildingDraft) (requests.Request, error) {
		t.Helper()
		r, err := svc.Submit(ctx, citizen, &requests.BuildingForm{Parcel: "1234",
			Neighbourhood: "الرمل", Owner: "أمل حداد"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.StartReview(ctx, clerk, r.Ref); err != nil {
			t.Fatal(err)
		}
		_, err = svc.SubmitDraft(ctx, clerk, r.Ref, requests.Draft{
			Records: []requests.RecordLink{{RecordID: "rec-1"}}, Building: &d})
		return r, err
	}
	drafted := func(d requests.BuildingDraft) requests.Request {
		t.Helper()
		r, err := draft(d)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// A first attempt issued, but its answer never reached the request.
	r := drafted(building())
	lost, err := is.IssueBuilding(ctx, requests.IssueKey(r.Ref), building(),
		[]string{"rec-1"})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := svc.Approve(ctx, super, r.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if issued.CertID != lost.ID || certificates(t, o) != 1 {
		t.Fatalf("approval recorded %s, the lost attempt issued %s; %d certificates",
			issued.CertID, lost.ID, certificates(t, o))
	}
	_, rc, err := svc.CertificatePDF(ctx, citizen, r.Ref)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.HasPrefix(string(pdf), "%PDF-") || !strings.Contains(string(pdf), "/ByteRange") {
		t.Fatalf("downloaded %d bytes that are not a signed PDF", len(pdf))
	}

	// What certs refuses, the draft check refuses at submission, each
	// problem on its field of the draft form; the request stays in review.
	for _, c := range []struct {
		name string
		edit func(*requests.BuildingDraft)
		want map[string]string
	}{
		{"with three bad facts", func(d *requests.BuildingDraft) {
			d.HolderID, d.AsOf, d.Floors[0].AreaM2 = "123456789", "2999-01-01", "-5"
		}, map[string]string{"draft_holder_id": "certs.bad_national_id",
			"draft_as_of": "certs.as_of_future", "draft_floors": "certs.bad_area"}},
		{"whose name the font cannot print", func(d *requests.BuildingDraft) {
			d.HolderName = "أمل 中"
		}, map[string]string{"draft_holder_name": "render.missing_glyph"}},
	} {
		bad := building()
		c.edit(&bad)
		r, err := draft(bad)
		got := map[string]string{}
		for field, fe := range requests.FieldErrors(err) {
			got[field] = fe.Key
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("a draft %s: field problems %v, want %v (%v)", c.name, got, c.want, err)
		}
		back, err := svc.Request(ctx, super, r.Ref)
		if err != nil || back.State != requests.StateInReview || certificates(t, o) != 1 {
			t.Fatalf("after a refused draft: %s, %v, %d certificates", back.State, err,
				certificates(t, o))
		}
	}

	// Approval checks again: the record the draft cites left the archive
	// after the draft was submitted.
	r = drafted(building())
	delete(o.Issuer.Records.(certstest.Records), "rec-1")
	_, err = svc.Approve(ctx, super, r.Ref)
	if sijil.KindOf(err) != sijil.Invalid {
		t.Fatalf("approving a draft citing a withdrawn record: %v, want Invalid", err)
	}
	back, err := svc.Request(ctx, super, r.Ref)
	if err != nil || back.State != requests.StateAwaitingApproval || certificates(t, o) != 1 {
		t.Fatalf("after a refused approval: %s, %v, %d certificates", back.State, err,
			certificates(t, o))
	}
}

func certsBuilding() certs.BuildingRequest {
	b := building()
	return certs.BuildingRequest{HolderName: b.HolderName, HolderID: b.HolderID,
		Parcel: b.Parcel, Plot: b.Plot, Neighbourhood: b.Neighbourhood, Street: b.Street,
		ZoningStatus: b.ZoningStatus,
		AsOf:         b.AsOf, Floors: []certs.FloorRequest{{Level: "0", AreaM2: "80", Use: "سكن"}},
		Records: []string{"rec-1"}}
}

type nopNotifier struct{}

func (nopNotifier) Send(context.Context, requests.Notice) error { return nil }
