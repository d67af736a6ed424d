package certs_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/certs/pdfsign"
	"github.com/sijil-municipality/sijil/verify"
)

// TestTamperedPDFsAreRefusedOffline checks what `sijil verify FILE.pdf`
// says of a PDF altered after issuance, with only the published key set.
func TestTamperedPDFsAreRefusedOffline(t *testing.T) {
	office := certstest.New(t, now, certstest.Records{"rec_permit": strings.Repeat("ab", 32)})
	req, err := certs.ParseBuildingRequest([]byte(validFacts))
	if err != nil {
		t.Fatal(err)
	}
	issued, err := office.Issuer.IssueBuilding(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}

	// A forger with a key of their own signs the altered file again: a
	// valid signature, but not the municipality's.
	key, cert, err := pdfsign.NewSelfSigned("بلدية المدينة — City Municipality", now,
		now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	resigned, err := pdfsign.Sign(issued.PDF, pdfsign.Signer{Key: key, Cert: cert},
		pdfsign.Options{Time: now})
	if err != nil {
		t.Fatal(err)
	}
	appended := append(bytes.Clone(issued.PDF), []byte("\n% an appended update\n")...)
	edited := bytes.Clone(issued.PDF)
	edited[len(edited)/3] ^= 0x20

	tests := []struct {
		name string
		pdf  []byte
		key  string
	}{
		{"re-signed with another key", resigned, "verify.pdf_signature"},
		{"bytes appended after signing", appended, "verify.pdf_signature"},
		{"one byte edited", edited, ""},
	}
	v := office.Verifier()
	if _, res := v.CheckPDF(issued.PDF); res.Status != verify.StatusValid {
		t.Fatalf("the untouched PDF: %+v", res)
	}
	mailed := append(bytes.Clone(issued.PDF), "\r\n\n"...)
	if _, res := v.CheckPDF(mailed); res.Status != verify.StatusValid {
		t.Errorf("a PDF with blank lines added after its end, as mail does: %+v", res)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res := v.CheckPDF(tt.pdf)
			if res.Status != verify.StatusInvalid || (tt.key != "" && res.ReasonKey != tt.key) {
				t.Fatalf("want invalid %s, got %+v", tt.key, res)
			}
		})
	}
}

func TestSupersedeKeepsTheKind(t *testing.T) {
	is := newIssuer(t)
	req, err := certs.ParseBuildingRequest([]byte(validFacts))
	if err != nil {
		t.Fatal(err)
	}
	building, err := is.IssueBuilding(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	craft, err := certs.ParseCraftRequest([]byte(`{"shop_name": "محل", "licence_no": "1/1990",
		"holder_name": "خالد", "holder_id": "123456782", "neighbourhood": "الرمال",
		"street": "شارع", "activity": "نجارة", "from_year": 1990, "to_year": 2000,
		"records": ["rec_permit"]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = is.SupersedeCraft(context.Background(), building.ID, craft)
	var e *sijil.Error
	if !errors.As(err, &e) || e.Key != "certs.supersede_kind" {
		t.Fatalf("a craft certificate replaced a building certificate: %v", err)
	}
}
