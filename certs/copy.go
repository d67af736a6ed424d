package certs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/verify"
)

// Pages reads what a certified copy reproduces from the archive.
// RecordForCopy returns an error of kind NotFound for an unknown record;
// any other error is the archive failing. It may be called concurrently.
type Pages interface {
	RecordForCopy(ctx context.Context, id string) (CopySource, error)
}

// CopySource is an archived record as a certified copy shows it: its
// metadata and the PNG image of each page, upright, in order.
type CopySource struct {
	ID         string
	SHA256     string // of the original file, lower-case hex
	Filename   string
	Reference  string
	RecordType string
	ArchivedAt time.Time
	Pages      [][]byte // PNG
}

// CopyRequest asks for a certified copy of one archived record, as read
// from JSON (`sijil issue --kind copy --from FILE.json`). The holder, the
// person who asked, is optional; when named, both name and ID are needed.
type CopyRequest struct {
	Record     string `json:"record"`
	HolderName string `json:"holder_name,omitempty"`
	HolderID   string `json:"holder_id,omitempty"`
}

// ParseCopyRequest reads a certified copy request from JSON.
func ParseCopyRequest(data []byte) (CopyRequest, error) {
	var req CopyRequest
	err := parseStrictJSON(data, &req)
	return req, err
}

// maxCopyPages bounds a certified copy: every page is an image of some
// hundred KB, and the PDF must stay small enough for the verifiers to read.
const maxCopyPages = 40

// copyQRSizeMM is the side of the QR code on each copied page, at ECC level
// M: smaller than the cover's, to leave the page to the record. cmd/qrspec
// measured level M decoding every token from 23 mm at 150 dpi after 0.6 px
// blur and 2° rotation, and from 32 mm at 100 dpi; 28 mm keeps a margin on
// the first.
const copyQRSizeMM = 28

// IssueCopy issues a certified copy of an archived record: a cover page
// naming the record, then its page images, each stamped with the QR code.
func (is *Issuer) IssueCopy(ctx context.Context, req CopyRequest) (Issued, error) {
	return is.SupersedeCopy(ctx, "", req)
}

// SupersedeCopy issues a certified copy that replaces the certificate with
// id replaces, which becomes superseded in the same transaction. An empty
// replaces issues a new certificate.
func (is *Issuer) SupersedeCopy(ctx context.Context, replaces string,
	req CopyRequest) (Issued, error) {
	d, err := is.copyDraft(ctx, req)
	if err != nil {
		return Issued{}, err
	}
	return is.issue(ctx, d, replaces)
}

// copyDraft checks the holder and the record, and lays out the cover and
// the record's stamped pages.
func (is *Issuer) copyDraft(ctx context.Context, req CopyRequest) (draft, error) {
	now := is.now()
	name := strings.TrimSpace(req.HolderName)
	id := sijil.NormalizeDigits(strings.TrimSpace(req.HolderID))
	herr := checkOptionalHolder(name, id)
	src, serr := is.copySource(ctx, strings.TrimSpace(req.Record))
	if err := joinChecks(herr, serr); err != nil {
		return draft{}, err
	}

	content, claims, err := newContent(verify.KindCopy, is.Office, now)
	if err != nil {
		return draft{}, err
	}
	content.Copy = &verify.Copy{RecordID: src.ID, SHA256: src.SHA256,
		Filename: src.Filename, Reference: src.Reference, RecordType: src.RecordType,
		ArchivedOn: src.ArchivedAt.UTC().Format(time.DateOnly), Pages: pageDigests(src.Pages),
		HolderName: name, HolderID: id}
	cover := copyCover(content)
	draw := func(qrText string, caption []string) ([]byte, error) {
		cover.QRText = qrText
		cover.QRCaption = append(caption, cover.QRCaption...)
		images := make([]render.ImagePage, len(src.Pages))
		for i, png := range src.Pages {
			images[i] = render.ImagePage{PNG: png, QRText: qrText, QRSizeMM: copyQRSizeMM,
				Stamp: copyStamp(i+1, len(src.Pages), caption)}
		}
		return is.Renderer.Document(cover, images...)
	}
	return draft{content: content, claims: claims, draw: draw,
		texts: []fieldText{{"holder_name", name}, {"holder_id", id}}}, nil
}

// checkOptionalHolder accepts no holder, or a holder with a name and a
// valid national ID.
func checkOptionalHolder(name, id string) error {
	if name == "" && id == "" {
		return nil
	}
	return errors.Join(in("holder_name", checkText("holder_name", name)),
		in("holder_id", checkNationalID("holder_id", id)))
}

// copySource reads the record and refuses one a copy cannot be made of.
func (is *Issuer) copySource(ctx context.Context, id string) (CopySource, error) {
	if id == "" {
		return CopySource{}, sijil.Errorf(sijil.Invalid, "certs.field_required",
			"record is required").In("record")
	}
	if is.Pages == nil {
		return CopySource{}, sijil.Errorf(sijil.Unavailable, "certs.no_archive",
			"this office has no archive to make certified copies from")
	}
	src, err := is.Pages.RecordForCopy(ctx, id)
	if sijil.KindOf(err) == sijil.NotFound {
		return CopySource{}, sijil.Errorf(sijil.Invalid, "certs.unknown_record",
			"record %q is not in the archive", id).In("record")
	}
	if err != nil {
		return CopySource{}, fmt.Errorf("read record %q for a copy: %w", id, err)
	}
	switch {
	case len(src.SHA256) != sha256.Size*2:
		return CopySource{}, fmt.Errorf("record %q: the archive gave a malformed SHA-256 %q",
			id, src.SHA256)
	case len(src.Pages) == 0:
		return CopySource{}, sijil.Errorf(sijil.Invalid, "certs.record_no_pages",
			"record %q has no page images to copy", id).In("record")
	case len(src.Pages) > maxCopyPages:
		return CopySource{}, sijil.Errorf(sijil.TooLarge, "certs.copy_too_long",
			"record %q has %d pages; a certified copy holds at most %d",
			id, len(src.Pages), maxCopyPages).In("record")
	}
	// Archive metadata is printed and signed like a clerk's facts: what
	// cannot print faithfully must be fixed in the archive first.
	for _, f := range []struct{ name, value string }{
		{"the record's file name", src.Filename}, {"the record's reference", src.Reference},
		{"the record's type", src.RecordType},
	} {
		if f.value == "" {
			continue
		}
		if err := checkText(f.name, f.value); err != nil {
			return CopySource{}, err
		}
	}
	return src, nil
}

func pageDigests(pages [][]byte) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		sum := sha256.Sum256(p)
		out[i] = hex.EncodeToString(sum[:])
	}
	return out
}
