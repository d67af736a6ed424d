// Package certs issues the municipality's certificates: it checks the
// clerk's facts, renders the Arabic PDF, signs the QR token, stores the
// file and records the issuance. Verification lives in package verify.
package certs

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/veraison/go-cose"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// Headers of a key's PEM file: its validity travels with the key, so the
// keys folder alone is the whole key set.
const (
	notBeforeHeader   = "Not-Before"
	retiredHeader     = "Retired-At"
	compromisedHeader = "Compromised-At"
)

// Signer signs certificate tokens with one of the office's Ed25519 keys.
type Signer struct {
	key         ed25519.PrivateKey
	id          string
	notBefore   time.Time
	retired     *time.Time
	compromised *time.Time
	path        string
}

// LoadOrCreateSigner returns the current signing key of the keyring in
// dir, making the first key (mode 0600) when the folder has none; created
// says which. The caller must warn loudly on creation: certificates signed
// by a new key verify only once its key set is published.
func LoadOrCreateSigner(dir string, now time.Time) (s *Signer, created bool, err error) {
	kr, created, err := OpenKeyring(dir, now)
	if err != nil {
		return nil, false, err
	}
	s, err = kr.Current()
	return s, created, err
}

func newSigner(dir string, now time.Time) (*Signer, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	s := &Signer{key: key, id: verify.KeyID(key.Public().(ed25519.PublicKey)),
		notBefore: now.UTC().Truncate(time.Second)}
	s.path = filepath.Join(dir, s.id+".pem")
	data, err := s.encode()
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys folder: %w", err)
	}
	// Exclusive: a key file is never overwritten, whatever races.
	if err := writeExclusive(s.path, data, 0o600); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Signer) encode() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	headers := map[string]string{notBeforeHeader: s.notBefore.Format(time.RFC3339)}
	if s.retired != nil {
		headers[retiredHeader] = s.retired.Format(time.RFC3339)
	}
	if s.compromised != nil {
		headers[compromisedHeader] = s.compromised.Format(time.RFC3339)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: headers, Bytes: der}),
		nil
}

func parseSigner(data []byte) (*Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM private key")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("not an Ed25519 key")
	}
	s := &Signer{key: key, id: verify.KeyID(key.Public().(ed25519.PublicKey))}
	if s.notBefore, err = time.Parse(time.RFC3339, block.Headers[notBeforeHeader]); err != nil {
		return nil, fmt.Errorf("missing or bad %s header: %w", notBeforeHeader, err)
	}
	if s.retired, err = optionalTime(block.Headers, retiredHeader); err != nil {
		return nil, err
	}
	if s.compromised, err = optionalTime(block.Headers, compromisedHeader); err != nil {
		return nil, err
	}
	return s, nil
}

func optionalTime(headers map[string]string, name string) (*time.Time, error) {
	v, ok := headers[name]
	if !ok {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("bad %s header: %w", name, err)
	}
	return &t, nil
}

// Status says whether the key signs, only verifies, or is distrusted.
func (s *Signer) Status() verify.KeyStatus {
	switch {
	case s.compromised != nil:
		return verify.KeyCompromised
	case s.retired != nil:
		return verify.KeyRetired
	}
	return verify.KeyCurrent
}

// publicKey describes the key for the published key set.
func (s *Signer) publicKey() verify.Key {
	k := verify.NewKey(s.key.Public().(ed25519.PublicKey), s.Status(), s.notBefore)
	k.Retired, k.Compromised = s.retired, s.compromised
	return k
}

// KeyID returns the id of the signing key.
func (s *Signer) KeyID() string { return s.id }

// KeySet returns a key set of this key alone, for tests and tools that
// trust one key.
func (s *Signer) KeySet(issuer string) *verify.KeySet {
	return &verify.KeySet{Issuer: issuer, Keys: []verify.Key{s.publicKey()}}
}

// SignClaims returns the token for the claims: an untagged COSE_Sign1 over
// their canonical encoding, in base32.
func (s *Signer) SignClaims(c verify.Claims) (string, error) {
	if s.Status() != verify.KeyCurrent {
		return "", sijil.Errorf(sijil.Conflict, "certs.key_not_current",
			"signing key %s is %s; rotate to a new key (sijil keys rotate)", s.id, s.Status())
	}
	payload, err := verify.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, s.key)
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	kid, err := hex.DecodeString(s.id)
	if err != nil {
		return "", fmt.Errorf("key id: %w", err)
	}
	headers := cose.Headers{Protected: cose.ProtectedHeader{
		cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA,
		cose.HeaderLabelKeyID:     kid,
	}}
	// Ed25519 is deterministic, so no randomness source is needed.
	raw, err := cose.Sign1Untagged(nil, signer, headers, payload, verify.ExternalAAD)
	if err != nil {
		return "", fmt.Errorf("sign claims: %w", err)
	}
	return verify.EncodeToken(raw), nil
}
