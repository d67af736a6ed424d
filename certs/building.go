package certs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// BuildingRequest is what a clerk states for a building certificate, as
// read from JSON (`sijil issue --kind building --from FILE.json`).
type BuildingRequest struct {
	HolderName    string         `json:"holder_name"`
	HolderID      string         `json:"holder_id"`
	Parcel        string         `json:"parcel"`
	Plot          string         `json:"plot"`
	Neighbourhood string         `json:"neighbourhood"`
	Street        string         `json:"street"`
	ZoningStatus  string         `json:"zoning_status"`
	AsOf          string         `json:"as_of"`
	Floors        []FloorRequest `json:"floors"`
	Records       []string       `json:"records"`
}

// FloorRequest is one floor as the clerk states it. The area is a JSON
// number, kept as its decimal text so no rounding creeps in.
type FloorRequest struct {
	Level  string      `json:"level"`
	AreaM2 json.Number `json:"area_m2"`
	Use    string      `json:"use"`
}

// Limits on what a certificate may state; beyond them the clerk made a
// mistake, or the input is hostile.
const (
	maxTextRunes = 200
	maxFloors    = 60 // a tower's; the floors table continues on as many pages as it needs
	minYear      = 1900
	maxRecords   = 20
	maxAreaM2    = 1_000_000
)

// ParseBuildingRequest reads a building request from JSON.
func ParseBuildingRequest(data []byte) (BuildingRequest, error) {
	var req BuildingRequest
	err := parseStrictJSON(data, &req)
	return req, err
}

// building checks the request and returns the facts to certify, with
// floor areas in canonical decimal form and their total. It reports every
// field's problem at once, each tagged with its field, so that a form can
// show them all next to their inputs.
func (req BuildingRequest) building(now time.Time) (verify.Building, error) {
	b := verify.Building{
		HolderName:    strings.TrimSpace(req.HolderName),
		HolderID:      sijil.NormalizeDigits(strings.TrimSpace(req.HolderID)),
		Parcel:        strings.TrimSpace(req.Parcel),
		Plot:          strings.TrimSpace(req.Plot),
		Neighbourhood: strings.TrimSpace(req.Neighbourhood),
		Street:        strings.TrimSpace(req.Street),
		ZoningStatus:  strings.TrimSpace(req.ZoningStatus),
		AsOf:          strings.TrimSpace(req.AsOf),
	}
	var errs []error
	for _, f := range []struct{ name, value string }{
		{"holder_name", b.HolderName}, {"parcel", b.Parcel}, {"plot", b.Plot},
		{"neighbourhood", b.Neighbourhood}, {"street", b.Street},
		{"zoning_status", b.ZoningStatus},
	} {
		errs = append(errs, in(f.name, checkText(f.name, f.value)))
	}
	errs = append(errs, in("holder_id", checkNationalID("holder_id", b.HolderID)),
		in("as_of", checkAsOf(b.AsOf, now)))

	floors, total, err := checkFloors(req.Floors)
	if err := errors.Join(append(errs, in("floors", err))...); err != nil {
		return verify.Building{}, err
	}
	b.Floors, b.TotalAreaM2 = floors, total
	return b, nil
}

// texts are the request's texts as the certificate prints them, by field,
// to find which field holds what the renderer refuses.
func (req BuildingRequest) texts() []fieldText {
	out := []fieldText{{"holder_name", req.HolderName}, {"holder_id", req.HolderID},
		{"parcel", req.Parcel}, {"plot", req.Plot}, {"neighbourhood", req.Neighbourhood},
		{"street", req.Street}, {"zoning_status", req.ZoningStatus}, {"as_of", req.AsOf}}
	for _, f := range req.Floors {
		out = append(out, fieldText{"floors", f.Level}, fieldText{"floors", f.Use},
			fieldText{"floors", f.AreaM2.String()})
	}
	return out
}

// checkText refuses what cannot be printed faithfully: control and format
// characters (a right-to-left override makes the paper show a name the
// signed data does not hold), line separators, and text with no letter or
// digit at all.
func checkText(field, value string) error {
	if value == "" {
		return sijil.Errorf(sijil.Invalid, "certs.field_required", "%s is required", field)
	}
	if utf8.RuneCountInString(value) > maxTextRunes {
		return sijil.Errorf(sijil.Invalid, "certs.field_too_long",
			"%s is longer than %d characters", field, maxTextRunes)
	}
	if !utf8.ValidString(value) {
		return sijil.Errorf(sijil.Invalid, "certs.field_encoding",
			"%s is not valid UTF-8 text", field)
	}
	visible := false
	for _, r := range value {
		switch {
		case r == '\u200c' || r == '\u200d':
			// Joiners shape Arabic and Persian letters; they hide nothing.
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp):
			return sijil.Errorf(sijil.Invalid, "certs.field_control",
				"%s contains an invisible control character (U+%04X)", field, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			visible = true
		}
	}
	if !visible {
		return sijil.Errorf(sijil.Invalid, "certs.field_no_text",
			"%s has no letters or digits", field)
	}
	return nil
}

// checkNationalID refuses anything but a 9-digit national ID with a valid
// check digit; digits are normalised before.
func checkNationalID(field, id string) error {
	if !sijil.ValidNationalID(id) {
		return sijil.Errorf(sijil.Invalid, "certs.bad_national_id",
			"%s must be a 9-digit national ID with a valid check digit", field)
	}
	return nil
}

func checkAsOf(asOf string, now time.Time) error {
	d, err := time.Parse(time.DateOnly, asOf)
	if err != nil {
		return sijil.Errorf(sijil.Invalid, "certs.bad_as_of",
			"as_of must be a date written YYYY-MM-DD")
	}
	if d.After(now) {
		return sijil.Errorf(sijil.Invalid, "certs.as_of_future",
			"as_of cannot be in the future")
	}
	if d.Year() < minYear {
		return sijil.Errorf(sijil.Invalid, "certs.as_of_too_old",
			"as_of must be in %d or later", minYear)
	}
	return nil
}

// checkFloors validates each floor and sums the areas exactly, in rational
// arithmetic, so that 0.1 + 0.2 is 0.3 on the certificate.
func checkFloors(in []FloorRequest) ([]verify.Floor, string, error) {
	if len(in) == 0 || len(in) > maxFloors {
		return nil, "", sijil.Errorf(sijil.Invalid, "certs.floor_count",
			"floors must list between 1 and %d floors", maxFloors)
	}
	total := new(big.Rat)
	out := make([]verify.Floor, 0, len(in))
	for i, f := range in {
		level, use := strings.TrimSpace(f.Level), strings.TrimSpace(f.Use)
		if err := checkText(fmt.Sprintf("floors[%d].level", i), level); err != nil {
			return nil, "", err
		}
		if err := checkText(fmt.Sprintf("floors[%d].use", i), use); err != nil {
			return nil, "", err
		}
		area, ok := new(big.Rat).SetString(sijil.NormalizeDigits(f.AreaM2.String()))
		if !ok || area.Sign() <= 0 || area.Cmp(big.NewRat(maxAreaM2, 1)) > 0 ||
			!hasAtMostTwoDecimals(area) {
			return nil, "", sijil.Errorf(sijil.Invalid, "certs.bad_area",
				"floors[%d].area_m2 must be a positive number of m² with at most 2 decimals", i)
		}
		total.Add(total, area)
		out = append(out, verify.Floor{Level: level, AreaM2: formatArea(area), Use: use})
	}
	return out, formatArea(total), nil
}

func hasAtMostTwoDecimals(r *big.Rat) bool {
	hundredths := new(big.Rat).Mul(r, big.NewRat(100, 1))
	return hundredths.IsInt()
}

// formatArea writes an area with no trailing zeros: 120, 120.5, 120.25.
func formatArea(r *big.Rat) string {
	s := r.FloatString(2)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
