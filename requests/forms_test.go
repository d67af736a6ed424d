package requests_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

// TestFormsNameTheirFields: each bad form is refused with a key per field
// it got wrong, so a page can show each problem next to its field.
func TestFormsNameTheirFields(t *testing.T) {
	long := strings.Repeat("ب", 201)
	tests := []struct {
		name string
		form requests.Form
		want map[string]string // field → key
	}{
		{"copy: nothing filled", &requests.CopyForm{}, map[string]string{
			"document_type": "requests.document_type_required",
			"parties":       "requests.parties_required"}},
		{"copy: bad year and number", &requests.CopyForm{DocumentType: "عقد بيع",
			Parties: "أمل", ApproxYear: "١٨٥٠", ReferenceNo: "12#4"}, map[string]string{
			"approx_year":  "requests.approx_year_invalid",
			"reference_no": "requests.reference_no_invalid"}},
		{"building: no parcel nor plot", &requests.BuildingForm{Neighbourhood: "الرمل",
			Owner: "أمل"}, map[string]string{"parcel": "requests.parcel_required"}},
		{"building: long owner, control character", &requests.BuildingForm{Parcel: "1",
			Neighbourhood: "الرمل\x00", Owner: long}, map[string]string{
			"neighbourhood": "requests.neighbourhood_invalid",
			"owner":         "requests.owner_too_long"}},
		{"craft: years backwards", &requests.CraftForm{ShopAddress: "سوق الذهب",
			Trade: "صياغة", Holder: "باسل", FromYear: "1990", ToYear: "1980"},
			map[string]string{"to_year": "requests.to_year_before_from"}},
		{"craft: nothing filled", &requests.CraftForm{}, map[string]string{
			"shop_address": "requests.shop_address_required",
			"trade":        "requests.trade_required",
			"holder":       "requests.holder_required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.form.Validate()
			if sijil.KindOf(err) != sijil.Invalid {
				t.Fatalf("got %v, want Invalid", err)
			}
			got := map[string]string{}
			for field, e := range requests.FieldErrors(err) {
				got[field] = e.Key
			}
			if len(got) != len(tt.want) {
				t.Fatalf("fields %v, want %v", got, tt.want)
			}
			for f, k := range tt.want {
				if got[f] != k {
					t.Errorf("field %s: key %q, want %q", f, got[f], k)
				}
			}
		})
	}
}

// TestFormsNormaliseDigits: numbers typed in Arabic-Indic digits are kept
// in ASCII, so that clerks and the archive's search see one spelling.
func TestFormsNormaliseDigits(t *testing.T) {
	f := &requests.BuildingForm{Parcel: " ١٢ ٣٤ ", Plot: "۷/ب", Neighbourhood: " الرمل ",
		Owner: "أمل", ApproxYear: "١٩٩٨"}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.Parcel != "1234" || f.Plot != "7/ب" || f.ApproxYear != "1998" ||
		f.Neighbourhood != "الرمل" {
		t.Fatalf("normalised to %+v", f)
	}
	e := newEnv(t)
	r, err := e.svc.Submit(context.Background(), amal, &requests.BuildingForm{Parcel: "٥٦",
		Neighbourhood: "الرمل", Owner: "أمل"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := must(t)(e.svc.Request(context.Background(), clerk, r.Ref))
	if bf, ok := got.Form.(*requests.BuildingForm); !ok || bf.Parcel != "56" {
		t.Fatalf("stored form %#v", got.Form)
	}
}

// TestReferenceNumbers: new numbers are well-formed and distinct, a
// citizen's way of typing one is understood, and a mistyped digit is told
// from an unknown number.
func TestReferenceNumbers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	shape := regexp.MustCompile(`^B-\d{4}-\d{4}-\d{4}$`)
	seen := map[string]bool{}
	var ref string
	for range 20 {
		r := e.submit(t, amal)
		if !shape.MatchString(r.Ref) || seen[r.Ref] {
			t.Fatalf("reference %q is malformed or repeated", r.Ref)
		}
		seen[r.Ref] = true
		ref = r.Ref
	}

	arabic := strings.NewReplacer("0", "٠", "1", "١", "2", "٢", "3", "٣", "4", "٤", "5", "٥",
		"6", "٦", "7", "٧", "8", "٨", "9", "٩").Replace(ref)
	for _, typed := range []string{ref, strings.ToLower(ref),
		strings.ReplaceAll(ref, "-", ""), strings.ReplaceAll(ref, "-", " "), arabic} {
		got, err := requests.ParseRef(typed)
		if err != nil || got != ref {
			t.Errorf("ParseRef(%q) = %q, %v; want %q", typed, got, err, ref)
		}
		if _, err := e.svc.Request(ctx, amal, typed); err != nil {
			t.Errorf("Request(%q): %v", typed, err)
		}
	}

	// Every single wrong digit and every swap of neighbours is caught.
	digits := []byte(ref)
	for i, c := range digits {
		if c < '0' || c > '9' || i < 7 {
			continue
		}
		wrong := slices.Clone(digits)
		wrong[i] = '0' + (c-'0'+1)%10
		if _, err := requests.ParseRef(string(wrong)); err == nil {
			t.Errorf("ParseRef accepted %s, one digit off %s", wrong, ref)
		}
		if j := i + 1; j < len(digits) && digits[j] >= '0' && digits[j] != c {
			swapped := slices.Clone(digits)
			swapped[i], swapped[j] = swapped[j], swapped[i]
			if _, err := requests.ParseRef(string(swapped)); err == nil {
				t.Errorf("ParseRef accepted %s, a swap of %s", swapped, ref)
			}
		}
	}
}

// TestErrorKeysListEveryKey: every message key written in this package's
// code is in ErrorKeys, NoticeKeys or LabelKeys, so a catalog checked
// against those lists translates every message a user can see.
func TestErrorKeysListEveryKey(t *testing.T) {
	listed := map[string]bool{}
	for _, list := range [][]string{requests.ErrorKeys(), requests.NoticeKeys(),
		requests.LabelKeys()} {
		for _, k := range list {
			listed[k] = true
		}
	}
	literal := regexp.MustCompile(`"(requests\.[a-z_]*[a-z])"`)
	prefixes := regexp.MustCompile(`"(requests\.[a-z_]+_)" \+`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			found++
			if !listed[m[1]] {
				t.Errorf("%s: key %s is not listed", name, m[1])
			}
		}
		for _, m := range prefixes.FindAllStringSubmatch(string(src), -1) {
			if !slices.ContainsFunc(requests.ErrorKeys(), func(k string) bool {
				return strings.HasPrefix(k, m[1])
			}) && !slices.ContainsFunc(requests.NoticeKeys(), func(k string) bool {
				return strings.HasPrefix(k, m[1])
			}) {
				t.Errorf("%s: no listed key starts with %s", name, m[1])
			}
		}
	}
	if found < 20 {
		t.Fatalf("found only %d keys in the code; is the pattern right?", found)
	}
	for _, want := range []string{"requests.cannot_approved", "requests.two_person_rule",
		"requests.parcel_required", "requests.notice_issued", "requests.state_issued",
		"requests.category_water"} {
		if !listed[want] {
			t.Errorf("%s is not listed", want)
		}
	}
}
