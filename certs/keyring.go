package certs

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/verify"
)

// Keyring is the office's signing keys, one PEM file each in a folder:
// at most one current key that signs, retired keys that still verify what
// they signed, and compromised keys whose later signatures are void.
type Keyring struct {
	dir  string
	keys []*Signer // oldest first
}

// OpenKeyring reads every key in dir, making the first key when there is
// none; created says whether it did.
func OpenKeyring(dir string, now time.Time) (kr *Keyring, created bool, err error) {
	kr = &Keyring{dir: dir}
	if err := kr.load(); err != nil {
		return nil, false, err
	}
	if len(kr.keys) > 0 {
		return kr, false, nil
	}
	s, err := newSigner(dir, now)
	if err != nil {
		return nil, false, err
	}
	kr.keys = []*Signer{s}
	return kr, true, nil
}

func (kr *Keyring) load() error {
	paths, err := filepath.Glob(filepath.Join(kr.dir, "*.pem"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read signing key: %w", err)
		}
		s, err := parseSigner(data)
		if err != nil {
			return fmt.Errorf("signing key %s: %w", p, err)
		}
		s.path = p
		kr.keys = append(kr.keys, s)
	}
	// Keys made within one second tie on their start; the id breaks the
	// tie so that every process lists them alike.
	sort.Slice(kr.keys, func(i, j int) bool {
		a, b := kr.keys[i], kr.keys[j]
		if !a.notBefore.Equal(b.notBefore) {
			return a.notBefore.Before(b.notBefore)
		}
		return a.id < b.id
	})
	return nil
}

// Current returns the key that signs new certificates.
func (kr *Keyring) Current() (*Signer, error) {
	for i := len(kr.keys) - 1; i >= 0; i-- {
		if kr.keys[i].Status() == verify.KeyCurrent {
			return kr.keys[i], nil
		}
	}
	return nil, sijil.Errorf(sijil.Conflict, "certs.no_current_key",
		"there is no current signing key; make one with 'sijil keys rotate'")
}

// Keys returns every key, oldest first.
func (kr *Keyring) Keys() []*Signer { return kr.keys }

// Rotate makes a new current key and retires the old one from the same
// instant: the old key still verifies what it signed before.
func (kr *Keyring) Rotate(now time.Time) (*Signer, error) {
	old, _ := kr.Current()
	s, err := newSigner(kr.dir, now)
	if err != nil {
		return nil, err
	}
	kr.keys = append(kr.keys, s)
	if old != nil {
		if err := kr.Retire(old.id, s.notBefore); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Retire stops a key from signing from the time given.
func (kr *Keyring) Retire(id string, at time.Time) error {
	s, err := kr.find(id)
	if err != nil {
		return err
	}
	if s.retired != nil {
		return nil
	}
	at = at.UTC().Truncate(time.Second)
	s.retired = &at
	return s.save()
}

// Compromise marks a key as compromised since the time given: whatever it
// signed from then on shows as void, what it signed before stays valid.
func (kr *Keyring) Compromise(id string, since time.Time) error {
	s, err := kr.find(id)
	if err != nil {
		return err
	}
	since = since.UTC().Truncate(time.Second)
	if since.Before(s.notBefore) {
		since = s.notBefore
	}
	s.compromised = &since
	return s.save()
}

func (kr *Keyring) find(id string) (*Signer, error) {
	for _, s := range kr.keys {
		if s.id == strings.ToLower(id) {
			return s, nil
		}
	}
	return nil, sijil.Errorf(sijil.NotFound, "certs.unknown_key", "no signing key %q", id)
}

// save rewrites the key's file through a temporary file, so a crash never
// leaves a key half-written.
func (s *Signer) save() error {
	data, err := s.encode()
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("save signing key: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save signing key: %w", err)
	}
	return nil
}

// KeySet returns every key's public part, for publication, with the
// certificates that sign the office's PDFs.
func (kr *Keyring) KeySet(issuer string, pdfCerts ...*x509.Certificate) *verify.KeySet {
	ks := &verify.KeySet{Issuer: issuer}
	for _, s := range kr.keys {
		ks.Keys = append(ks.Keys, s.publicKey())
	}
	for _, c := range pdfCerts {
		ks.PDFCertificates = append(ks.PDFCertificates, c.Raw)
	}
	return ks
}

// SignKeySet returns the key set as published, signed by every key that is
// not compromised, so that a verifier holding any earlier trusted key can
// follow a rotation.
func (kr *Keyring) SignKeySet(ks *verify.KeySet) ([]byte, error) {
	return kr.signDoc(verify.DomainKeySet, ks)
}

// SignBundle returns the offline trust bundle, signed like the key set.
func (kr *Keyring) SignBundle(b verify.Bundle) ([]byte, error) {
	return kr.signDoc(verify.DomainBundle, b)
}

// signDoc signs v's JSON in the domain with every key not compromised.
func (kr *Keyring) signDoc(domain string, v any) ([]byte, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var keys []ed25519.PrivateKey
	for _, s := range kr.keys {
		if s.compromised == nil {
			keys = append(keys, s.key)
		}
	}
	if len(keys) == 0 {
		return nil, sijil.Errorf(sijil.Conflict, "certs.no_trusted_key",
			"every signing key is compromised, so nothing published can be signed; make a "+
				"new key with 'sijil keys rotate' first")
	}
	return json.MarshalIndent(verify.SignDoc(domain, payload, keys...), "", "  ")
}
