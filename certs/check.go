package certs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/verify"
)

// CheckBuilding refuses what IssueBuilding would refuse of req, without
// issuing: the facts, the records it cites, and the sheet, drawn once and
// thrown away, so that a character the font lacks or a text too long for
// the page shows now. Each problem is a *sijil.Error whose Field is the
// request's field as its JSON names it ("plot", "floors", "records"); the
// problems are joined. An error of another kind than Invalid or TooLarge
// means the check could not be made (the archive is down).
func (is *Issuer) CheckBuilding(ctx context.Context, req BuildingRequest) error {
	d, err := is.buildingDraft(ctx, req)
	if err != nil {
		return err
	}
	_, err = is.render(d)
	return err
}

// CheckCraft refuses what IssueCraft would refuse of req, as CheckBuilding
// does.
func (is *Issuer) CheckCraft(ctx context.Context, req CraftRequest) error {
	d, err := is.craftDraft(ctx, req)
	if err != nil {
		return err
	}
	_, err = is.render(d)
	return err
}

// CheckCopy refuses what IssueCopy would refuse of req, as CheckBuilding
// does; the record copied is the field "record". It reads the record's
// pages, as issuing does.
func (is *Issuer) CheckCopy(ctx context.Context, req CopyRequest) error {
	d, err := is.copyDraft(ctx, req)
	if err != nil {
		return err
	}
	_, err = is.render(d)
	return err
}

// draft is a certificate whose facts passed their checks, ready to sign
// and draw: its content, its claims yet without their digest, how to draw
// it, and the clerk's texts, to blame the field that does not print.
type draft struct {
	content verify.Content
	claims  verify.Claims
	draw    drawFunc
	texts   []fieldText
}

// fieldText is a text of a request and the field it came from.
type fieldText struct{ field, value string }

// rendered is a certificate signed and drawn, not yet stored: what issuing
// adds to the PDF and records comes after.
type rendered struct {
	out     Issued // without its PDF
	claims  verify.Claims
	encoded []byte
	pdf     []byte
}

// render signs the claims over the content and draws the PDF with its QR
// code. Issuing and the checks both call it, so that a check refuses what
// issuing would, as issuing would.
func (is *Issuer) render(d draft) (rendered, error) {
	encoded, err := d.content.Encode()
	if err != nil {
		return rendered{}, fmt.Errorf("encode content: %w", err)
	}
	claims := d.claims
	claims.Digest = verify.Digest(encoded)
	token, err := is.Signer.SignClaims(claims)
	if err != nil {
		return rendered{}, err
	}
	out := Issued{ID: d.content.ID, Token: token, URL: verify.TokenURL(is.PublicURL, token),
		PDFKey: PDFKey(d.content.ID)}

	pdf, err := d.draw(out.URL, []string{out.ID,
		"رمز التحقق · Check code: " + verify.CheckCode(claims.ID)})
	if err != nil {
		return rendered{}, fmt.Errorf("render certificate: %w", d.blame(err))
	}
	return rendered{out: out, claims: claims, encoded: encoded, pdf: pdf}, nil
}

// blame tags a renderer's refusal with the field to correct: the first
// that holds a character the font lacks, or, when the texts do not fit the
// page, the longest, whose shortening helps most. A refusal no clerk's
// text explains (an archive page image) is returned as it is.
func (d draft) blame(err error) error {
	var se *sijil.Error
	if !errors.As(err, &se) {
		return err
	}
	if r, ok := render.MissingGlyph(err); ok {
		for _, t := range d.texts {
			if strings.ContainsRune(t.value, r) {
				return se.In(t.field)
			}
		}
		return err
	}
	if se.Key != "render.too_long" {
		return err
	}
	longest := fieldText{}
	for _, t := range d.texts {
		if utf8.RuneCountInString(t.value) > utf8.RuneCountInString(longest.value) {
			longest = t
		}
	}
	if longest.field == "" {
		return err
	}
	return se.In(longest.field)
}

// in tags err, when it is a *sijil.Error, with the request field it is
// about; nil stays nil.
func in(field string, err error) error {
	if se, ok := err.(*sijil.Error); ok {
		return se.In(field)
	}
	return err
}

// joinChecks joins the problems of the facts and of the records they cite;
// a failure to look the records up is returned alone, since it says
// nothing of the request.
func joinChecks(facts, records error) error {
	if records != nil && sijil.KindOf(records) != sijil.Invalid {
		return records
	}
	return errors.Join(facts, records)
}
