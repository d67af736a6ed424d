package certs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/verify"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPostgres runs the certificate office's tests again on PostgreSQL,
// the production database: certstest.New gives every test under this one
// a fresh PostgreSQL database.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t, TestRegistryFollowsIssuesAndRevocations,
		TestIssueBuildingVerifiesFromThePDFAlone, TestIssueBuildingRefusesBadFacts,
		TestIssueCraft, TestSupersedeCraft, TestSupersedeKeepsTheKind, TestIssueCopy,
		TestIssueCopyRefuses)
}

// TestRegistryFollowsIssuesAndRevocations issues certificates from several
// clerks at once and revokes one from two supervisors at once, then checks
// what a verify node reads from the registry and the revocation list.
func TestRegistryFollowsIssuesAndRevocations(t *testing.T) {
	ctx := context.Background()
	office := certstest.New(t, now, certstest.Records{"rec_permit": "ab" + hex62})
	is := office.Issuer
	req, err := certs.ParseBuildingRequest([]byte(validFacts))
	if err != nil {
		t.Fatal(err)
	}

	const clerks = 4
	issued := make([]certs.Issued, clerks)
	var wg sync.WaitGroup
	for i := range clerks {
		wg.Go(func() {
			var err error
			if issued[i], err = is.IssueBuilding(ctx, req); err != nil {
				t.Errorf("clerk %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	reg, v := office.Registry(), office.Verifier()
	for _, c := range issued {
		res := v.CheckOnline(ctx, c.Token, reg, nil)
		if res.Status != verify.StatusValid || res.Log == nil || !res.Log.Checked {
			t.Fatalf("certificate %s after concurrent issuance: %+v", c.ID, res)
		}
		if token, err := is.Store.TokenByCode(ctx, c.ID); err != nil || token != c.Token {
			t.Errorf("TokenByCode(%s) = %q, %v", c.ID, token, err)
		}
	}
	if _, err := is.Store.Latest(ctx); err != nil {
		t.Errorf("Latest: %v", err)
	}

	// Two supervisors revoke the same certificate at once: one revocation
	// is recorded, the other is told it came too late.
	revoked := issued[0]
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = is.Revoke(ctx, revoked.ID, verify.ReasonCourtOrder, "note") })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two revocations of one certificate: %v and %v, want one to succeed", errs[0],
			errs[1])
	}
	for _, err := range errs {
		if err != nil && sijil.KindOf(err) != sijil.Conflict {
			t.Errorf("the later revocation failed with %v, want a Conflict", err)
		}
	}

	if res := v.CheckOnline(ctx, revoked.Token, reg, nil); res.Status != verify.StatusRevoked {
		t.Errorf("revoked certificate verifies as %s: %+v", res.Status, res)
	}
	if res := v.CheckOnline(ctx, issued[1].Token, reg, nil); res.Status != verify.StatusValid {
		t.Errorf("a certificate next to the revoked one verifies as %s", res.Status)
	}
	revs, err := is.Store.Revocations(ctx)
	if err != nil || len(revs) != 1 || revs[0].CertID != revoked.ID ||
		revs[0].Reason != verify.ReasonCourtOrder {
		t.Fatalf("Revocations = %+v, %v; want the one of %s", revs, err, revoked.ID)
	}
	list, err := is.SignedRevocationList(ctx, office.Keyring)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := verify.ReadRevocationList(list, office.KeySet())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rl.Lookup(revoked.ID); !ok {
		t.Errorf("the signed revocation list lacks %s", revoked.ID)
	}
}

// hex62 pads a record hash to 64 hex digits.
const hex62 = "cdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
