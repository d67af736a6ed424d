package certs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
	"github.com/sijil-municipality/sijil/verify"
)

// TestSixtyFloorsContinueOnPages issues the tallest building a certificate
// accepts: its floors table runs onto continuation pages, each of which
// carries the QR code, and the signed PDF still verifies.
func TestSixtyFloorsContinueOnPages(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(validFacts), &m); err != nil {
		t.Fatal(err)
	}
	floors, total := []any{}, 0
	for i := range 60 {
		total += 200 + i
		floors = append(floors, map[string]any{"level": fmt.Sprintf("الطابق %d", i+1),
			"area_m2": json.Number(fmt.Sprintf("%d.5", 200+i)), "use": "سكني"})
	}
	m["floors"] = floors
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	req, err := certs.ParseBuildingRequest(data)
	if err != nil {
		t.Fatal(err)
	}

	office := certstest.New(t, now, certstest.Records{"rec_permit": strings.Repeat("ab", 32)})
	issued, err := office.Issuer.IssueBuilding(context.Background(), req)
	if err != nil {
		t.Fatalf("IssueBuilding: %v", err)
	}
	path := filepath.Join(t.TempDir(), "tower.pdf")
	if err := os.WriteFile(path, issued.PDF, 0o644); err != nil {
		t.Fatal(err)
	}

	text := certstest.PDFText(t, path)
	for _, f := range floors {
		f := f.(map[string]any)
		for _, want := range []string{f["level"].(string), f["area_m2"].(json.Number).String(),
			f["use"].(string)} {
			if !strings.Contains(text, want) {
				t.Errorf("pdftotext lacks %q of floor %s", want, f["level"])
			}
		}
	}
	if want := fmt.Sprint(total + 60/2); !strings.Contains(text, want) {
		t.Errorf("pdftotext lacks the total %s", want)
	}

	qrs := certstest.PageQRs(t, path)
	if len(qrs) < 2 {
		t.Errorf("%d page(s); 60 floors must continue on more", len(qrs))
	}
	for i, qr := range qrs {
		if qr != issued.URL {
			t.Errorf("page %d QR = %q, want %q", i+1, qr, issued.URL)
		}
	}

	if sig := certstest.PDFSig(t, path); !strings.Contains(sig, "Signature is Valid") {
		t.Errorf("pdfsig:\n%s", sig)
	}
	if _, res := office.Verifier().CheckPDF(issued.PDF); res.Status != verify.StatusValid {
		t.Errorf("CheckPDF: %+v", res)
	}
}

func TestSixtyOneFloorsAreRefused(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(validFacts), &m); err != nil {
		t.Fatal(err)
	}
	floors := []any{}
	for range 61 {
		floors = append(floors, map[string]any{"level": "x", "area_m2": 1, "use": "y"})
	}
	m["floors"] = floors
	data, _ := json.Marshal(m)
	req, err := certs.ParseBuildingRequest(data)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newIssuer(t).IssueBuilding(context.Background(), req)
	var e *sijil.Error
	if !errors.As(err, &e) || e.Key != "certs.floor_count" {
		t.Fatalf("got %v, want certs.floor_count", err)
	}
}
