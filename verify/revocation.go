package verify

import (
	"encoding/json"
	"fmt"
	"time"
)

// Reasons a certificate stops being current. They are codes, not free
// text, because the revocation list is public: a reason must never carry a
// name or a detail about someone else's certificate.
const (
	ReasonSuperseded   = "superseded" // replaced by a corrected certificate
	ReasonIssuedInErr  = "issued_in_error"
	ReasonFactsChanged = "facts_changed" // the archive's records were corrected
	ReasonCourtOrder   = "court_order"
	ReasonFraud        = "fraud"
)

// ValidReason reports whether r is one of the revocation reason codes.
func ValidReason(r string) bool {
	switch r {
	case ReasonSuperseded, ReasonIssuedInErr, ReasonFactsChanged, ReasonCourtOrder,
		ReasonFraud:
		return true
	}
	return false
}

// Revocation says that a certificate is no longer current.
type Revocation struct {
	CertID     string `json:"certificate_id"`
	Status     Status `json:"status"` // StatusRevoked or StatusSuperseded
	At         int64  `json:"at"`     // Unix seconds
	Reason     string `json:"reason"`
	ReplacedBy string `json:"replaced_by,omitempty"`
}

// When returns the day of the revocation, as shown to verifiers.
func (r Revocation) When() string { return time.Unix(r.At, 0).UTC().Format(time.DateOnly) }

// RevocationList is every revocation, published signed so a verifier can
// check a certificate's status without telling anyone which one it holds.
// It names certificates by CertRef, never by number, so that it cannot be
// used to look any certificate up.
type RevocationList struct {
	Issuer   string   `json:"issuer"`
	IssuedAt int64    `json:"issued_at"`
	Entries  []Listed `json:"revocations"`

	byRef map[string]Listed
}

// Listed is one revocation as the public list gives it.
type Listed struct {
	CertRef string `json:"cert_ref"`
	Status  Status `json:"status"`
	At      int64  `json:"at"`
	Reason  string `json:"reason"`
}

// ReadRevocationList opens a signed revocation list with the key set.
func ReadRevocationList(data []byte, keys *KeySet) (*RevocationList, error) {
	payload, err := OpenDoc(DomainRevocations, data, keys)
	if err != nil {
		return nil, fmt.Errorf("revocation list: %w", err)
	}
	var rl RevocationList
	if err := json.Unmarshal(payload, &rl); err != nil {
		return nil, fmt.Errorf("revocation list: %w", err)
	}
	rl.index()
	return &rl, nil
}

// NewRevocationList builds the public list from the office's revocations,
// for signing.
func NewRevocationList(issuer string, now time.Time, revs []Revocation) *RevocationList {
	rl := &RevocationList{Issuer: issuer, IssuedAt: now.Unix()}
	for _, r := range revs {
		rl.Entries = append(rl.Entries, Listed{CertRef: CertRef(r.CertID), Status: r.Status,
			At: r.At, Reason: r.Reason})
	}
	rl.index()
	return rl
}

func (rl *RevocationList) index() {
	rl.byRef = make(map[string]Listed, len(rl.Entries))
	for _, e := range rl.Entries {
		rl.byRef[e.CertRef] = e
	}
}

// Lookup returns the revocation of the certificate with the printed
// number, if the list has one. The list does not say what replaced a
// superseded certificate; the verify page does.
func (rl *RevocationList) Lookup(certID string) (Revocation, bool) {
	if rl == nil {
		return Revocation{}, false
	}
	e, ok := rl.byRef[CertRef(certID)]
	return Revocation{CertID: certID, Status: e.Status, At: e.At, Reason: e.Reason}, ok
}

// Issued returns when the list was made, so a verifier can say how fresh
// its knowledge of revocations is.
func (rl *RevocationList) Issued() time.Time { return time.Unix(rl.IssuedAt, 0).UTC() }
