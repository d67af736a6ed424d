package verify

import (
	"context"
	"log/slog"

	"github.com/sijil-municipality/sijil"
)

// Registry is what an online verify node knows beyond the token: the
// certificate's canonical content, whether it was revoked, and the public
// log's evidence of its issuance. Every method returns an error of kind
// NotFound (package sijil) for an unknown certificate.
type Registry interface {
	ContentByID(ctx context.Context, certID string) ([]byte, error)
	RevocationOf(ctx context.Context, certID string) (rev Revocation, revoked bool, err error)
	LogEvidence(ctx context.Context, certID string) (LogEvidence, error)
}

// CheckOnline gives the full verdict on a token with what the registry
// holds: content intact, current or not, and included in the log. A
// registry failure is logged and leaves the verdict on the token alone,
// marked as such, rather than failing the verifier.
func (v *Verifier) CheckOnline(ctx context.Context, token string, reg Registry,
	log *slog.Logger) Result {
	res := v.Check(token, nil)
	if res.Status != StatusValid || reg == nil {
		return res
	}

	content, err := reg.ContentByID(ctx, res.CertID)
	if sijil.KindOf(err) == sijil.NotFound {
		// Signed, yet unknown to the office that keeps every issuance: it
		// was signed outside the issuance process.
		res.ApplyLog(&LogVerdict{Checked: true, Reason: "the office has no such certificate"})
		return res
	}
	if err != nil {
		logMiss(ctx, log, "content", res.CertID, err)
		return res
	}
	res = v.Check(token, content)
	if res.Status != StatusValid {
		return res
	}

	ev, err := reg.LogEvidence(ctx, res.CertID)
	if err != nil {
		logMiss(ctx, log, "log evidence", res.CertID, err)
		res.ApplyLog(&LogVerdict{Checked: true, Reason: "no log entry was found"})
		return res
	}
	res.ApplyLog(CheckLog(token, ev, v.LogKey))

	rev, revoked, err := reg.RevocationOf(ctx, res.CertID)
	if err != nil {
		logMiss(ctx, log, "revocation status", res.CertID, err)
		return res
	}
	if revoked {
		res.ApplyRevocation(rev)
	}
	return res
}

func logMiss(ctx context.Context, log *slog.Logger, what, certID string, err error) {
	if log != nil {
		log.WarnContext(ctx, "verify: registry lookup failed", "what", what,
			"cert_id", certID, "err", err)
	}
}
