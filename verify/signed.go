package verify

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
)

// Domains separate what a key signs, so that a signature over one kind of
// document can never be replayed as another.
const (
	DomainKeySet      = "sijil/keyset/v1"
	DomainRevocations = "sijil/revocations/v1"
	DomainBundle      = "sijil/bundle/v1"
)

// SignedDoc is a published document with the signatures of the office's
// keys over its exact bytes. Signing the bytes, not a re-encoding, spares
// verifiers any JSON canonicalisation.
type SignedDoc struct {
	Payload    []byte      `json:"payload"` // base64 in JSON
	Signatures []Signature `json:"signatures"`
}

// Signature is one key's Ed25519 signature over a domain and a payload.
type Signature struct {
	KeyID string `json:"kid"`
	Sig   []byte `json:"sig"`
}

// signedMessage is what is signed: the domain, a zero byte, the payload.
func signedMessage(domain string, payload []byte) []byte {
	msg := make([]byte, 0, len(domain)+1+len(payload))
	msg = append(msg, domain...)
	msg = append(msg, 0)
	return append(msg, payload...)
}

// SignDoc signs payload in a domain with each of the keys.
func SignDoc(domain string, payload []byte, keys ...ed25519.PrivateKey) SignedDoc {
	doc := SignedDoc{Payload: payload}
	msg := signedMessage(domain, payload)
	for _, k := range keys {
		doc.Signatures = append(doc.Signatures, Signature{
			KeyID: KeyID(k.Public().(ed25519.PublicKey)),
			Sig:   ed25519.Sign(k, msg),
		})
	}
	return doc
}

// ErrUnsigned is returned when no trusted key signed a document.
var ErrUnsigned = errors.New("no trusted key signed this document")

// OpenDoc returns the payload of a signed document once at least one key
// of the set that is not compromised has signed it in the domain.
func OpenDoc(domain string, data []byte, keys *KeySet) ([]byte, error) {
	var doc SignedDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read signed document: %w", err)
	}
	msg := signedMessage(domain, doc.Payload)
	for _, s := range doc.Signatures {
		k, ok := keys.Lookup(s.KeyID)
		if !ok || k.Status == KeyCompromised {
			continue
		}
		if ed25519.Verify(k.Public(), msg, s.Sig) {
			return doc.Payload, nil
		}
	}
	return nil, ErrUnsigned
}
