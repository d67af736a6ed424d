package certs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs/pdfsign"
	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/verify"
)

// Blobs is where issued PDFs are stored. Put is write-once and never leaves
// a partial object under the key; archive's stores fit.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
}

// Records looks up the archived records a certificate cites as proof. It
// returns an error of kind NotFound for an unknown id.
type Records interface {
	RecordRef(ctx context.Context, id string) (verify.RecordRef, error)
}

// Log is the public issuance log. AppendTx adds an encoded verify.LogEntry
// inside the caller's transaction, so that a certificate and its leaf
// commit together or not at all, and returns the leaf's index.
type Log interface {
	AppendTx(ctx context.Context, tx *sql.Tx, entry []byte) (uint64, error)
}

// Issuer issues, revokes and supersedes certificates. All fields are
// required except Now, Logger, and Pages, which only certified copies need.
type Issuer struct {
	Signer    *Signer
	PDFSigner pdfsign.Signer
	Renderer  *render.Renderer
	Blobs     Blobs
	Store     *Store
	Log       Log
	Records   Records
	Pages     Pages
	PublicURL string // base of the verify URL printed in the QR code
	Office    string // the issuing office, as printed and signed
	Logger    *slog.Logger
	Now       func() time.Time
}

// Issued is a certificate just issued.
type Issued struct {
	ID     string // as printed, e.g. "ABCD-EFGH-IJKL-MNOP"
	Token  string
	URL    string // the QR code's text
	PDF    []byte
	PDFKey string
}

// PDFKey is where the PDF of a certificate is stored.
func PDFKey(id string) string { return "certificates/" + id + ".pdf" }

// IssueBuilding checks the request, then renders, signs, stores and records
// a building certificate. Nothing is recorded unless every step succeeded.
func (is *Issuer) IssueBuilding(ctx context.Context, req BuildingRequest) (Issued, error) {
	return is.SupersedeBuilding(ctx, "", req)
}

// SupersedeBuilding issues a building certificate that replaces the one
// with id replaces, which becomes superseded in the same transaction. An
// empty replaces issues a new certificate.
func (is *Issuer) SupersedeBuilding(ctx context.Context, replaces string,
	req BuildingRequest) (Issued, error) {
	d, err := is.buildingDraft(ctx, req)
	if err != nil {
		return Issued{}, err
	}
	return is.issue(ctx, d, replaces)
}

// buildingDraft checks the request's facts and the records it cites, and
// lays out its sheet.
func (is *Issuer) buildingDraft(ctx context.Context, req BuildingRequest) (draft, error) {
	now := is.now()
	b, ferr := req.building(now)
	refs, rerr := is.recordRefs(ctx, req.Records)
	if err := joinChecks(ferr, rerr); err != nil {
		return draft{}, err
	}
	b.Records = refs

	content, claims, err := newContent(verify.KindBuilding, is.Office, now)
	if err != nil {
		return draft{}, err
	}
	content.Building = &b
	return draft{content: content, claims: claims, draw: is.drawSheet(buildingSheet(content)),
		texts: req.texts()}, nil
}

// drawFunc renders a certificate's PDF once its QR text is known; caption
// is what must be printed with every QR code: the certificate's id and
// check code.
type drawFunc func(qrText string, caption []string) ([]byte, error)

// drawSheet renders a one-page certificate: the sheet with the QR code and
// the caption above the sheet's own caption lines.
func (is *Issuer) drawSheet(s render.Sheet) drawFunc {
	return func(qrText string, caption []string) ([]byte, error) {
		s.QRText = qrText
		s.QRCaption = append(caption, s.QRCaption...)
		return is.Renderer.Sheet(s)
	}
}

func (is *Issuer) recordRefs(ctx context.Context, ids []string) ([]verify.RecordRef, error) {
	if len(ids) == 0 || len(ids) > maxRecords {
		return nil, sijil.Errorf(sijil.Invalid, "certs.record_count",
			"records must name between 1 and %d archived records that prove the facts",
			maxRecords).In("records")
	}
	refs := make([]verify.RecordRef, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, sijil.Errorf(sijil.Invalid, "certs.record_twice",
				"record %q is named twice", id).In("records")
		}
		seen[id] = true
		ref, err := is.Records.RecordRef(ctx, id)
		if sijil.KindOf(err) == sijil.NotFound {
			return nil, sijil.Errorf(sijil.Invalid, "certs.unknown_record",
				"record %q is not in the archive", id).In("records")
		}
		if err != nil {
			return nil, fmt.Errorf("look up record %q: %w", id, err)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// newContent starts the content of a new certificate with a fresh random
// id; claims get their digest once the content is complete.
func newContent(kind verify.Kind, office string, now time.Time) (verify.Content,
	verify.Claims, error) {
	id := make([]byte, verify.IDBytes)
	if _, err := rand.Read(id); err != nil {
		return verify.Content{}, verify.Claims{}, fmt.Errorf("certificate id: %w", err)
	}
	claims := verify.Claims{Kind: kind, Schema: verify.SchemaVersion, ID: id,
		IssuedAt: now.Unix()}
	content := verify.Content{Kind: kind, Schema: verify.SchemaVersion,
		ID: claims.CertID(), IssuedAt: claims.IssuedAt, Issuer: office}
	return content, claims, nil
}

// issue signs and draws the draft as the checks do (render), embeds the
// content in the PDF, signs the PDF, stores it and records the row and its
// log leaf, in that order: a failure before the row leaves only an
// unreferenced blob behind. Every kind of certificate is issued through
// here.
func (is *Issuer) issue(ctx context.Context, d draft, replaces string) (Issued, error) {
	start := time.Now()
	if replaces != "" {
		if err := is.checkReplaceable(ctx, replaces, d.claims.Kind); err != nil {
			return Issued{}, err
		}
	}
	r, err := is.render(d)
	if err != nil {
		return Issued{}, err
	}
	out, claims, encoded := r.out, r.claims, r.encoded
	token := out.Token

	pdf, err := verify.EmbedContent(r.pdf, encoded, out.URL)
	if err != nil {
		return Issued{}, err
	}
	// Sign last: any rewrite after this would break the PDF signature.
	out.PDF, err = pdfsign.Sign(pdf, is.PDFSigner, pdfsign.Options{
		Reason:   "إفادة صادرة عن البلدية · Certificate issued by the municipality",
		Location: is.Office, Name: is.Office, Time: is.now()})
	if err != nil {
		return Issued{}, fmt.Errorf("sign certificate PDF: %w", err)
	}

	if err := is.Blobs.Put(ctx, out.PDFKey, bytes.NewReader(out.PDF), int64(len(out.PDF)),
		"application/pdf"); err != nil {
		return Issued{}, fmt.Errorf("store certificate PDF: %w", err)
	}
	sum := sha256.Sum256(out.PDF)
	cert := Certificate{ID: out.ID, Kind: claims.Kind.String(), KeyID: is.Signer.KeyID(),
		IssuedAt: claims.Issued(), Content: encoded, Token: token, PDFKey: out.PDFKey,
		PDFSHA256: hex.EncodeToString(sum[:]), CheckCode: verify.CheckCode(claims.ID)}
	entry := verify.LogEntry{Op: verify.OpIssue, CertRef: verify.CertRef(out.ID),
		Digest: claims.Digest,
		KeyID:  cert.KeyID, Time: claims.IssuedAt}
	err = is.inTx(ctx, func(tx *sql.Tx) error {
		if cert.LogIndex, err = is.appendLog(ctx, tx, entry); err != nil {
			return err
		}
		if err := createTx(ctx, tx, cert); err != nil {
			return err
		}
		if replaces == "" {
			return nil
		}
		return is.revokeTx(ctx, tx, verify.Revocation{CertID: replaces,
			Status: verify.StatusSuperseded, At: claims.IssuedAt,
			Reason: verify.ReasonSuperseded, ReplacedBy: out.ID}, "")
	})
	if err != nil {
		return Issued{}, err
	}

	is.log().Info("certificate issued", "cert_id", out.ID, "kind", claims.Kind.String(),
		"key_id", is.Signer.KeyID(), "pdf_bytes", len(out.PDF),
		"duration_ms", time.Since(start).Milliseconds())
	return out, nil
}

func (is *Issuer) now() time.Time {
	if is.Now != nil {
		return is.Now().UTC()
	}
	return time.Now().UTC()
}

func (is *Issuer) log() *slog.Logger {
	if is.Logger != nil {
		return is.Logger
	}
	return slog.Default()
}
