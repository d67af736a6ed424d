package verify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"

	"github.com/sijil-municipality/sijil"
)

// Registry is what an online verify node holds of issued certificates.
// Certificate returns an error of kind NotFound (package sijil) for a
// certificate the office never issued.
type Registry interface {
	Certificate(ctx context.Context, certID string) (Held, error)
}

// Held is what the office keeps of one certificate: its canonical content,
// its revocation if it has one, and the public log's evidence of its
// issuance.
type Held struct {
	Content    []byte
	Revocation *Revocation   // the office's row, for its reason and replacement
	Log        LogEvidence   // the issuance
	Events     []LogEvidence // every other leaf naming the certificate
}

// CheckOnline gives the full verdict on a token with what the registry
// holds: content intact, in the log, and current according to the log. When
// the registry cannot be read the verdict is StatusUnknown, never valid:
// the signature alone cannot say whether the certificate was revoked.
func (v *Verifier) CheckOnline(ctx context.Context, token string, reg Registry,
	log *slog.Logger) Result {
	d, res, ok := v.checkToken(token)
	if !ok {
		return res
	}
	if reg == nil {
		return v.withContent(d, res, nil)
	}

	held, err := reg.Certificate(ctx, res.CertID)
	if sijil.KindOf(err) == sijil.NotFound {
		// Signed, yet unknown to the office that keeps every issuance: it
		// was signed outside the issuance process.
		res = v.withContent(d, res, nil)
		res.ApplyLog(&LogVerdict{Checked: true, Reason: "the office has no such certificate"})
		return res
	}
	if err != nil {
		// The signature stands, but whether the certificate is current and
		// logged cannot be told now: say so rather than guess.
		logMiss(ctx, log, res.CertID, err)
		res = v.withContent(d, res, nil)
		res.Status, res.Current = StatusUnknown, false
		res.ReasonKey = "verify.unavailable"
		res.Reason = "The signature is genuine, but whether the certificate is still current " +
			"could not be checked now. Do not rely on it yet; try again later or call 115."
		res.Log = &LogVerdict{Reason: "the office's records could not be read"}
		return res
	}

	if res = v.withContent(d, res, held.Content); res.Status != StatusValid {
		return res
	}
	res.ApplyLog(v.checkLog(d, held.Log))
	if res.Status != StatusValid {
		return res
	}
	if rev, ok := v.loggedRevocation(ctx, d, held, log); ok {
		res.ApplyRevocation(rev)
	}
	return res
}

// logMiss reports, once, a problem with the office's records that the
// verdict works around; it is for the operators, not the verifier.
func logMiss(ctx context.Context, log *slog.Logger, certID string, err error) {
	if log != nil {
		log.ErrorContext(ctx, "verify: office records", "cert_id", certID, "err", err)
	}
}

// loggedRevocation decides from the log alone whether the certificate was
// revoked or superseded: a revocation counts only when its leaf is proven
// in the log, so a row inserted or deleted behind the log's back changes
// nothing. The office's row supplies the reason and the replacement when
// its digest matches the leaf; otherwise the leaf's own facts are shown.
func (v *Verifier) loggedRevocation(ctx context.Context, d Decoded, held Held,
	log *slog.Logger) (Revocation, bool) {
	ref := CertRef(d.Claims.CertID())
	for _, ev := range held.Events {
		e, err := DecodeLogEntry(ev.Leaf)
		if err != nil || !v.provenInLog(ev) {
			continue
		}
		revoked := e.Op == OpRevoke && e.CertRef == ref
		superseded := e.Op == OpSupersede && e.Replaces == ref
		if !revoked && !superseded {
			continue // the certificate's own issuance, or it replaced another
		}

		rev := Revocation{CertID: d.Claims.CertID(), Status: StatusRevoked, At: e.Time,
			Reason: "unknown"}
		if superseded {
			rev.Status = StatusSuperseded
		}
		if row := held.Revocation; row != nil {
			record, err := Marshal(*row)
			if err == nil && bytes.Equal(Digest(record), e.Digest) {
				return *row, true
			}
			logMiss(ctx, log, rev.CertID, fmt.Errorf("revocation row differs from its log leaf"))
		}
		return rev, true
	}
	if held.Revocation != nil {
		logMiss(ctx, log, d.Claims.CertID(), fmt.Errorf("revocation row has no proven log leaf"))
	}
	return Revocation{}, false
}

// provenInLog checks a leaf's inclusion proof against its signed
// checkpoint.
func (v *Verifier) provenInLog(ev LogEvidence) bool {
	cp, err := v.checkpoint(ev.Checkpoint)
	if err != nil {
		return false
	}
	return VerifyInclusion(LeafHash(ev.Leaf), ev.Index, cp.Size, ev.Proof, cp.Root) == nil
}
