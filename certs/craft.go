package certs

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// CraftRequest is what a clerk states for a craft certificate, as read
// from JSON (`sijil issue --kind craft --from FILE.json`).
type CraftRequest struct {
	ShopName      string   `json:"shop_name"`
	LicenceNo     string   `json:"licence_no"`
	HolderName    string   `json:"holder_name"`
	HolderID      string   `json:"holder_id"`
	Neighbourhood string   `json:"neighbourhood"`
	Street        string   `json:"street"`
	Activity      string   `json:"activity"`  // the trade practised before the war
	FromYear      int      `json:"from_year"` // first year it was practised
	ToYear        int      `json:"to_year"`   // last year, inclusive
	Records       []string `json:"records"`
}

// ParseCraftRequest reads a craft request from JSON.
func ParseCraftRequest(data []byte) (CraftRequest, error) {
	var req CraftRequest
	err := parseStrictJSON(data, &req)
	return req, err
}

// IssueCraft checks the request, then renders, signs, stores and records a
// craft certificate. Nothing is recorded unless every step succeeded.
func (is *Issuer) IssueCraft(ctx context.Context, req CraftRequest) (Issued, error) {
	return is.SupersedeCraft(ctx, "", req)
}

// SupersedeCraft issues a craft certificate that replaces the one with id
// replaces, which becomes superseded in the same transaction. An empty
// replaces issues a new certificate.
func (is *Issuer) SupersedeCraft(ctx context.Context, replaces string,
	req CraftRequest) (Issued, error) {
	d, err := is.craftDraft(ctx, req)
	if err != nil {
		return Issued{}, err
	}
	return is.issue(ctx, d, replaces)
}

// craftDraft checks the request's facts and the records it cites, and lays
// out its sheet.
func (is *Issuer) craftDraft(ctx context.Context, req CraftRequest) (draft, error) {
	now := is.now()
	c, ferr := req.craft(now)
	refs, rerr := is.recordRefs(ctx, req.Records)
	if err := joinChecks(ferr, rerr); err != nil {
		return draft{}, err
	}
	c.Records = refs

	content, claims, err := newContent(verify.KindCraft, is.Office, now)
	if err != nil {
		return draft{}, err
	}
	content.Craft = &c
	return draft{content: content, claims: claims, draw: is.drawSheet(craftSheet(content)),
		texts: req.texts()}, nil
}

// craft checks the request and returns the facts to certify, with every
// field's problem at once, each tagged with its field.
func (req CraftRequest) craft(now time.Time) (verify.Craft, error) {
	c := verify.Craft{
		ShopName:      strings.TrimSpace(req.ShopName),
		LicenceNo:     strings.TrimSpace(req.LicenceNo),
		HolderName:    strings.TrimSpace(req.HolderName),
		HolderID:      sijil.NormalizeDigits(strings.TrimSpace(req.HolderID)),
		Neighbourhood: strings.TrimSpace(req.Neighbourhood),
		Street:        strings.TrimSpace(req.Street),
		Activity:      strings.TrimSpace(req.Activity),
		FromYear:      req.FromYear,
		ToYear:        req.ToYear,
	}
	var errs []error
	for _, f := range []struct{ name, value string }{
		{"shop_name", c.ShopName}, {"licence_no", c.LicenceNo},
		{"holder_name", c.HolderName}, {"neighbourhood", c.Neighbourhood},
		{"street", c.Street}, {"activity", c.Activity},
	} {
		errs = append(errs, in(f.name, checkText(f.name, f.value)))
	}
	errs = append(errs, in("holder_id", checkNationalID("holder_id", c.HolderID)),
		checkYears(c.FromYear, c.ToYear, now))
	if err := errors.Join(errs...); err != nil {
		return verify.Craft{}, err
	}
	return c, nil
}

// texts are the request's texts as the certificate prints them, by field.
func (req CraftRequest) texts() []fieldText {
	return []fieldText{{"shop_name", req.ShopName}, {"licence_no", req.LicenceNo},
		{"holder_name", req.HolderName}, {"holder_id", req.HolderID},
		{"neighbourhood", req.Neighbourhood}, {"street", req.Street},
		{"activity", req.Activity}}
}

// checkYears wants the years a trade was practised to be real ones, in
// order, none in the future; a reversed pair is the last year's problem.
func checkYears(from, to int, now time.Time) error {
	var errs []error
	for _, y := range []struct {
		name string
		year int
	}{{"from_year", from}, {"to_year", to}} {
		if y.year < minYear || y.year > now.Year() {
			errs = append(errs, sijil.Errorf(sijil.Invalid, "certs.bad_year",
				"%s must be a year from %d to %d", y.name, minYear, now.Year()).In(y.name))
		}
	}
	if len(errs) == 0 && from > to {
		return sijil.Errorf(sijil.Invalid, "certs.years_reversed",
			"from_year (%d) is after to_year (%d): the years are reversed", from, to).
			In("to_year")
	}
	return errors.Join(errs...)
}
