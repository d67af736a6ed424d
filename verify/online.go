package verify

import (
	"context"
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
	Revocation *Revocation
	Log        LogEvidence
}

// CheckOnline gives the full verdict on a token with what the registry
// holds: content intact, current or not, and included in the log. A
// registry failure is logged and leaves the verdict on the token alone,
// rather than failing the verifier.
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
	if held.Revocation != nil {
		res.ApplyRevocation(*held.Revocation)
	}
	return res
}

func logMiss(ctx context.Context, log *slog.Logger, certID string, err error) {
	if log != nil {
		log.ErrorContext(ctx, "verify: registry lookup failed", "cert_id", certID, "err", err)
	}
}
