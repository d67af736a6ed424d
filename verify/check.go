package verify

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/veraison/go-cose"
)

// Status is the verdict on a certificate.
type Status string

// The verdicts. Unknown ids and tampered tokens both come out as invalid,
// so an enumerating client learns nothing from the difference.
const (
	StatusValid      Status = "valid"
	StatusInvalid    Status = "invalid"
	StatusRevoked    Status = "revoked"
	StatusSuperseded Status = "superseded"

	// StatusUnknown: the signature holds, but the office's records, which
	// say whether the certificate is current and logged, could not be read.
	// A verifier must not accept the paper on it; asking again may work.
	StatusUnknown Status = "unknown"
)

// Result is the verdict on a certificate with what it certifies. Reason and
// ReasonKey explain an invalid verdict; ReasonKey names the message in the
// translation catalogs.
type Result struct {
	Status         Status   `json:"status"`
	Reason         string   `json:"reason,omitempty"`
	ReasonKey      string   `json:"reason_key,omitempty"`
	CertID         string   `json:"certificate_id,omitempty"`
	Kind           string   `json:"kind,omitempty"`
	IssuedAt       string   `json:"issued_at,omitempty"`
	KeyID          string   `json:"key_id,omitempty"`
	ContentChecked bool     `json:"content_checked"`
	Content        *Content `json:"content,omitempty"`

	// The three verdicts a verifier needs, each on its own: the content is
	// intact, the certificate is current, and it was issued by the
	// municipality (its key, and its entry in the public log).
	Intact     bool        `json:"intact"`
	Current    bool        `json:"current"`
	Revocation *Revocation `json:"revocation,omitempty"`
	Log        *LogVerdict `json:"log,omitempty"`

	// RevocationsAsOf is when the revocation list consulted was made;
	// empty when none was.
	RevocationsAsOf string `json:"revocations_as_of,omitempty"`
}

// LogVerdict is what the public issuance log says of the certificate.
type LogVerdict struct {
	Checked  bool   `json:"checked"`
	Included bool   `json:"included"`
	Index    uint64 `json:"index,omitempty"`
	TreeSize uint64 `json:"tree_size,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Entry is the certificate's entry number as people count, from 1. Index
// stays 0-based, as the log's proofs and leaf URLs address it.
func (v LogVerdict) Entry() uint64 { return v.Index + 1 }

// Verifier checks tokens against a key set and, when it has one, a
// revocation list. It is safe for concurrent use.
type Verifier struct {
	Keys        *KeySet
	Revocations *RevocationList
	LogKey      string // the issuance log's note verifier key

	mu             sync.Mutex // guards the last checked checkpoint
	lastNote       []byte
	lastCheckpoint Checkpoint
}

// Check verifies a token and, when content is not nil, that the content is
// exactly what the token signs. The returned content has the national ID
// masked. Check never fails: every problem is an invalid verdict with a
// reason.
func (v *Verifier) Check(token string, content []byte) Result {
	d, r, ok := v.checkToken(token)
	if !ok {
		return r
	}
	return v.withContent(d, r, content)
}

// checkToken decodes the token and checks its signature and key: the
// costly part of a check, done once per verification.
func (v *Verifier) checkToken(token string) (Decoded, Result, bool) {
	d, err := DecodeToken(token)
	if err != nil {
		return Decoded{}, invalid("verify.malformed", "The code is damaged or was altered."),
			false
	}
	if bad := v.checkSignature(d); bad != nil {
		return Decoded{}, *bad, false
	}
	r := Result{
		CertID:   d.Claims.CertID(),
		Kind:     d.Claims.Kind.String(),
		IssuedAt: d.Claims.Issued().Format(time.RFC3339),
		KeyID:    d.KeyID,
	}
	return d, r, true
}

// withContent completes the verdict on a token whose signature holds: the
// content, when given, must be exactly what it signs, and the revocation
// list, when the verifier has one, decides whether it is current.
func (v *Verifier) withContent(d Decoded, r Result, content []byte) Result {
	if content != nil {
		c, err := contentFor(d.Claims, content)
		if err != nil {
			return invalid("verify.content_mismatch",
				"The certificate's content does not match its signature.")
		}
		m := c.Masked()
		r.Content = &m
		r.ContentChecked = true
	}
	r.Status, r.Intact, r.Current = StatusValid, true, true

	if v.Revocations != nil {
		r.RevocationsAsOf = v.Revocations.Issued().Format(time.RFC3339)
	}
	if rev, ok := v.Revocations.Lookup(r.CertID); ok {
		r.ApplyRevocation(rev)
	}
	return r
}

// checkSignature returns nil when the token is signed by a key of the set
// that was valid at the signed issue time.
func (v *Verifier) checkSignature(d Decoded) *Result {
	key, ok := v.Keys.Lookup(d.KeyID)
	if !ok {
		r := invalid("verify.unknown_key", "The code is not signed by a key of the municipality.")
		return &r
	}
	verifier, err := cose.NewVerifier(cose.AlgorithmEdDSA, key.Public())
	if err == nil {
		err = d.Message.Verify(ExternalAAD, verifier)
	}
	if err != nil {
		r := invalid("verify.bad_signature", "The code is damaged or was altered.")
		return &r
	}

	issued := d.Claims.Issued()
	if issued.Before(key.NotBefore) {
		r := invalid("verify.before_key", "The certificate claims a date before its key existed.")
		return &r
	}
	// Times are whole seconds: a certificate of the very second the key
	// was retired was still signed by it in good standing.
	if key.Retired != nil && issued.After(*key.Retired) {
		r := invalid("verify.after_retired",
			"The certificate claims a date after its key was retired.")
		return &r
	}
	if key.Compromised != nil && !issued.Before(*key.Compromised) {
		r := invalid("verify.key_compromised",
			"The certificate was signed with a key reported compromised.")
		return &r
	}
	return nil
}

// contentFor decodes content and checks it against signed claims.
func contentFor(c Claims, data []byte) (Content, error) {
	if !bytes.Equal(Digest(data), c.Digest) {
		return Content{}, errors.New("digest differs")
	}
	content, err := DecodeContent(data)
	if err != nil {
		return Content{}, err
	}
	if content.Kind != c.Kind || content.ID != c.CertID() || content.IssuedAt != c.IssuedAt {
		return Content{}, fmt.Errorf("content names another certificate")
	}
	return content, nil
}

func invalid(key, reason string) Result {
	return Result{Status: StatusInvalid, ReasonKey: key, Reason: reason}
}
