package requests

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

// Kind is the service a request asks for.
type Kind string

// The kinds of request.
const (
	KindCopy     Kind = "certified_copy"       // a certified copy of a lost document
	KindBuilding Kind = "building_certificate" // إفادة مبنى
	KindCraft    Kind = "craft_certificate"    // إفادة حرفة
)

// Kinds lists the kinds in the order pages offer them.
var Kinds = []Kind{KindCopy, KindBuilding, KindCraft}

func (k Kind) valid() bool {
	switch k {
	case KindCopy, KindBuilding, KindCraft:
		return true
	}
	return false
}

// Form is what a citizen fills in for one kind of request. Validate trims
// and normalises the fields in place (Arabic-Indic digits become ASCII in
// numbers and identifiers) and returns every problem found, joined; each
// is a *sijil.Error of kind Invalid whose key names the field (see
// FieldErrors).
type Form interface {
	Kind() Kind
	Validate() error
}

// CopyForm asks for a certified copy of a lost document.
type CopyForm struct {
	DocumentType string `json:"document_type"` // deed, permit, contract, licence…
	ReferenceNo  string `json:"reference_no"`  // if known
	ApproxYear   string `json:"approx_year"`   // if known
	Parties      string `json:"parties"`       // the owner or the parties named in it
	Description  string `json:"description"`   // anything that helps find it
}

// BuildingForm asks for a building certificate.
type BuildingForm struct {
	Parcel        string `json:"parcel"`
	Plot          string `json:"plot"`
	Neighbourhood string `json:"neighbourhood"`
	Street        string `json:"street"`
	Owner         string `json:"owner"`
	ApproxYear    string `json:"approx_year"` // of the building's last known state
	Purpose       string `json:"purpose"`     // what the certificate is for: a bank, a court…
}

// CraftForm asks for a craft certificate.
type CraftForm struct {
	ShopAddress string `json:"shop_address"`
	Trade       string `json:"trade"`
	LicenceNo   string `json:"licence_no"` // if known
	Holder      string `json:"holder"`
	FromYear    string `json:"from_year"` // approximate years the trade was practised
	ToYear      string `json:"to_year"`
}

// Kind returns KindCopy.
func (*CopyForm) Kind() Kind { return KindCopy }

// Kind returns KindBuilding.
func (*BuildingForm) Kind() Kind { return KindBuilding }

// Kind returns KindCraft.
func (*CraftForm) Kind() Kind { return KindCraft }

// Limits on what a form field holds.
const (
	maxShort = 200  // names, addresses, numbers
	maxLong  = 2000 // descriptions, notes, answers
	minYear  = 1900
)

// Validate normalises f and returns every problem with it.
func (f *CopyForm) Validate() error {
	var v checker
	f.DocumentType = v.text("document_type", f.DocumentType, true, maxShort)
	f.ReferenceNo = v.identifier("reference_no", f.ReferenceNo, false)
	f.ApproxYear = v.year("approx_year", f.ApproxYear)
	f.Parties = v.text("parties", f.Parties, true, maxShort)
	f.Description = v.text("description", f.Description, false, maxLong)
	return v.err()
}

// Validate normalises f and returns every problem with it. The parcel or
// the plot must be given: without either, no clerk can find the building.
func (f *BuildingForm) Validate() error {
	var v checker
	f.Parcel = v.identifier("parcel", f.Parcel, false)
	f.Plot = v.identifier("plot", f.Plot, false)
	f.Neighbourhood = v.text("neighbourhood", f.Neighbourhood, true, maxShort)
	f.Street = v.text("street", f.Street, false, maxShort)
	f.Owner = v.text("owner", f.Owner, true, maxShort)
	f.ApproxYear = v.year("approx_year", f.ApproxYear)
	f.Purpose = v.text("purpose", f.Purpose, false, maxShort)
	if f.Parcel == "" && f.Plot == "" && !v.has("parcel") && !v.has("plot") {
		v.add("parcel", "required", "Give the parcel number or the plot number.")
	}
	return v.err()
}

// Validate normalises f and returns every problem with it.
func (f *CraftForm) Validate() error {
	var v checker
	f.ShopAddress = v.text("shop_address", f.ShopAddress, true, maxShort)
	f.Trade = v.text("trade", f.Trade, true, maxShort)
	f.LicenceNo = v.identifier("licence_no", f.LicenceNo, false)
	f.Holder = v.text("holder", f.Holder, true, maxShort)
	f.FromYear = v.year("from_year", f.FromYear)
	f.ToYear = v.year("to_year", f.ToYear)
	if f.FromYear != "" && f.ToYear != "" && f.FromYear > f.ToYear {
		v.add("to_year", "before_from", "The last year cannot be before the first year.")
	}
	return v.err()
}

// FieldErrors maps each field named by the problems in err (as Validate
// returns them) to its problem, so that a page can show each next to its
// field. The map is empty when err holds no field problem.
func FieldErrors(err error) map[string]*sijil.Error {
	out := map[string]*sijil.Error{}
	sijil.EachJoined(err, func(err error) {
		var se *sijil.Error
		if errors.As(err, &se) {
			field, ok := fieldOfKey[se.Key]
			if !ok && draftFormFields[se.Field] {
				field, ok = se.Field, true
			}
			if _, dup := out[field]; ok && !dup {
				out[field] = se
			}
		}
	})
	return out
}

// draftFields maps the fields an Issuer's CheckDraft names to the draft
// form's, where the page shows each problem.
var draftFields = map[string]string{
	"holder_name": "draft_holder_name", "holder_id": "draft_holder_id",
	"parcel": "draft_parcel", "plot": "draft_plot",
	"neighbourhood": "draft_neighbourhood", "street": "draft_street",
	"zoning_status": "draft_zoning_status", "as_of": "draft_as_of",
	"floors": "draft_floors", "shop_name": "draft_shop_name",
	"licence_no": "draft_licence_no", "activity": "draft_activity",
	"from_year": "draft_from_year", "to_year": "draft_to_year",
	"records": "draft_records", "record": "draft_records",
}

// draftFormFields are the form fields of draftFields. Only these are taken
// from an error's Field: the issuer's own names ("plot") are also a
// citizen form's, and its refusal at approval belongs atop the page.
var draftFormFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range draftFields {
		m[f] = true
	}
	return m
}()

// draftProblems renames the fields of an Issuer's problems in err to the
// draft form's, and leaves any other error as it is.
func draftProblems(err error) error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, draftProblems(e))
		}
		return errors.Join(out...)
	}
	var se *sijil.Error
	if errors.As(err, &se) {
		if field, ok := draftFields[se.Field]; ok {
			return se.In(field)
		}
	}
	return err
}

// checker collects the problems of one form, one per field.
type checker struct {
	errs   []error
	fields map[string]bool
}

func (v *checker) add(field, problem, msg string) {
	if v.fields[field] {
		return
	}
	if v.fields == nil {
		v.fields = map[string]bool{}
	}
	v.fields[field] = true
	v.errs = append(v.errs, sijil.Errorf(sijil.Invalid, fieldKey(field, problem), "%s", msg))
}

func (v *checker) has(field string) bool { return v.fields[field] }

func (v *checker) err() error { return errors.Join(v.errs...) }

// ErrNoteTooLong is the error a note, message or answer field gets when it
// is over its limit, for a form too large to be read at all: what the
// person sent was far longer than the field takes.
func ErrNoteTooLong(field string) error {
	var v checker
	v.text(field, strings.Repeat("x", maxLong+1), true, maxLong)
	return v.err()
}

// text trims s and checks its presence, length and characters.
func (v *checker) text(field, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, isForbiddenControl):
		v.add(field, "invalid", "This field holds characters that cannot be kept.")
	case s == "" && required:
		v.add(field, "required", "This field is required.")
	case utf8.RuneCountInString(s) > max:
		v.add(field, "too_long", "This field is too long: at most "+strconv.Itoa(max)+
			" characters.")
	}
	return s
}

// identifier normalises a reference, licence, parcel or plot number: digits
// to ASCII, spaces dropped; letters, digits, '/', '-' and '.' allowed.
func (v *checker) identifier(field, s string, required bool) string {
	s = strings.Join(strings.Fields(sijil.NormalizeDigits(s)), "")
	switch {
	case s == "" && required:
		v.add(field, "required", "This field is required.")
	case utf8.RuneCountInString(s) > 40:
		v.add(field, "too_long", "This number is too long: at most 40 characters.")
	case strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("/-.", r)
	}):
		v.add(field, "invalid", "Use only letters, digits, '/', '-' and '.'.")
	}
	return s
}

// year normalises an optional year and checks it is one the archive can
// hold: from 1900 to this year.
func (v *checker) year(field, s string) string {
	s = strings.TrimSpace(sijil.NormalizeDigits(s))
	if s == "" {
		return ""
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < minYear || y > time.Now().Year() {
		v.add(field, "invalid", "Give a year between 1900 and this year, or leave it empty.")
	}
	return s
}

// isForbiddenControl reports control characters other than newline and tab.
func isForbiddenControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
}
