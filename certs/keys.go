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
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/veraison/go-cose"

	"github.com/sijil-municipality/sijil/verify"
)

// keyFile is the signing key's file name in the keys folder.
// TODO(#3): several keys with rotation, retirement and compromise dates.
const keyFile = "signing.pem"

// notBeforeHeader carries the key's start of validity in the PEM file, so
// the published key set says from when the key may have signed.
const notBeforeHeader = "Not-Before"

// Signer signs certificate tokens with the office's Ed25519 key.
type Signer struct {
	key       ed25519.PrivateKey
	id        string
	notBefore time.Time
}

// LoadOrCreateSigner reads the signing key from dir, or makes a new one
// there (mode 0600) when there is none; created says which. The caller
// must warn loudly on creation: a new key means earlier tokens need the
// old key set to verify.
func LoadOrCreateSigner(dir string, now time.Time) (s *Signer, created bool, err error) {
	path := filepath.Join(dir, keyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		s, err := createSigner(dir, path, now)
		return s, err == nil, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("read signing key: %w", err)
	}
	s, err = parseSigner(data)
	if err != nil {
		return nil, false, fmt.Errorf("signing key %s: %w", path, err)
	}
	return s, false, nil
}

func createSigner(dir, path string, now time.Time) (*Signer, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	notBefore := now.UTC().Truncate(time.Second)
	block := &pem.Block{
		Type:    "PRIVATE KEY",
		Headers: map[string]string{notBeforeHeader: notBefore.Format(time.RFC3339)},
		Bytes:   der,
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys folder: %w", err)
	}
	// O_EXCL: two processes starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return &Signer{key: key, id: verify.KeyID(key.Public().(ed25519.PublicKey)),
		notBefore: notBefore}, nil
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
	notBefore, err := time.Parse(time.RFC3339, block.Headers[notBeforeHeader])
	if err != nil {
		return nil, fmt.Errorf("missing or bad %s header: %w", notBeforeHeader, err)
	}
	return &Signer{key: key, id: verify.KeyID(key.Public().(ed25519.PublicKey)),
		notBefore: notBefore}, nil
}

// KeyID returns the id of the signing key.
func (s *Signer) KeyID() string { return s.id }

// KeySet returns the public key set to publish for this signer.
func (s *Signer) KeySet(issuer string) *verify.KeySet {
	pub := s.key.Public().(ed25519.PublicKey)
	return &verify.KeySet{
		Issuer: issuer,
		Keys:   []verify.Key{verify.NewKey(pub, verify.KeyCurrent, s.notBefore)},
	}
}

// SignClaims returns the token for the claims: an untagged COSE_Sign1 over
// their canonical encoding, in base32.
func (s *Signer) SignClaims(c verify.Claims) (string, error) {
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
