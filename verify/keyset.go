package verify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// KeyStatus says whether a key signs today, only verifies what it signed,
// or must no longer be trusted from some date.
type KeyStatus string

// The key statuses published in a key set.
const (
	KeyCurrent     KeyStatus = "current"
	KeyRetired     KeyStatus = "retired"
	KeyCompromised KeyStatus = "compromised"
)

// Key is one public signing key as published, in the shape of a JSON Web
// Key (RFC 8037, OKP/Ed25519) with Sijil's validity fields.
type Key struct {
	ID          string     `json:"kid"`
	Type        string     `json:"kty"`
	Curve       string     `json:"crv"`
	X           string     `json:"x"`
	Status      KeyStatus  `json:"status"`
	NotBefore   time.Time  `json:"not_before"`
	Retired     *time.Time `json:"retired_at,omitempty"`
	Compromised *time.Time `json:"compromised_at,omitempty"`

	public ed25519.PublicKey
}

// KeySet is the published list of the municipality's signing keys, current
// and retired, so that a retired key still verifies what it signed.
type KeySet struct {
	Issuer string `json:"issuer"`
	Keys   []Key  `json:"keys"`

	// PDFCertificates are the DER certificates whose keys sign the office's
	// PDFs, so that an offline verifier knows a genuine PDF signature.
	PDFCertificates [][]byte `json:"pdf_certificates,omitempty"`

	// LogKey is the note verifier key of the public issuance log.
	LogKey string `json:"log_key,omitempty"`
}

// KeyID returns the id of a public key: the first four bytes of its
// SHA-256, in hex. It is short because it travels in every QR code.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:4])
}

// NewKey describes a public key for publication.
func NewKey(pub ed25519.PublicKey, status KeyStatus, notBefore time.Time) Key {
	return Key{
		ID:        KeyID(pub),
		Type:      "OKP",
		Curve:     "Ed25519",
		X:         base64.RawURLEncoding.EncodeToString(pub),
		Status:    status,
		NotBefore: notBefore.UTC(),
		public:    pub,
	}
}

// ParseKeySet reads a published key set and checks every key in it: a key
// whose id does not match its bytes is refused, since ids pick the key.
func ParseKeySet(data []byte) (*KeySet, error) {
	var ks KeySet
	if err := json.Unmarshal(data, &ks); err != nil {
		return nil, fmt.Errorf("read key set: %w", err)
	}
	for i := range ks.Keys {
		k := &ks.Keys[i]
		if k.Type != "OKP" || k.Curve != "Ed25519" {
			return nil, fmt.Errorf("key %q: only OKP Ed25519 keys are supported", k.ID)
		}
		pub, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("key %q: bad public key bytes", k.ID)
		}
		if KeyID(pub) != k.ID {
			return nil, fmt.Errorf("key %q: id does not match the key", k.ID)
		}
		k.public = pub
	}
	return &ks, nil
}

// ReadSignedKeySet reads a published key set and checks its signatures.
// With trusted set (a key set the verifier already holds), a key of it
// must have signed the new set, which carries trust across rotations;
// without, the set must be signed by one of its own keys, which proves
// only that it was not altered after signing.
func ReadSignedKeySet(data []byte, trusted *KeySet) (*KeySet, error) {
	var doc SignedDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read key set: %w", err)
	}
	ks, err := ParseKeySet(doc.Payload)
	if err != nil {
		return nil, err
	}
	if trusted == nil {
		trusted = ks
	}
	if _, err := OpenDoc(DomainKeySet, data, trusted); err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	return ks, nil
}

// Lookup returns the key with the id, if the set has it.
func (ks *KeySet) Lookup(id string) (Key, bool) {
	for _, k := range ks.Keys {
		if k.ID == id {
			return k, true
		}
	}
	return Key{}, false
}

// Public returns the key's Ed25519 public key.
func (k Key) Public() ed25519.PublicKey { return k.public }
