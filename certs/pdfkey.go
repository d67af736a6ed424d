package certs

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sijil-municipality/sijil/certs/pdfsign"
)

// The document-signing key and certificate that sign every certificate PDF
// so that standard PDF tools can check it. In production the admin places
// a CA-issued certificate and its key here; the embedded default makes a
// self-signed pair.
const (
	pdfKeyFile  = "pdf-signing.key"
	pdfCertFile = "pdf-signing.crt"
	pdfCertLife = 10 * 365 * 24 * time.Hour
)

// LoadOrCreatePDFSigner reads the document-signing key and certificate
// from dir, making a self-signed pair for the office when there is none;
// created says which.
func LoadOrCreatePDFSigner(dir, office string, now time.Time) (s pdfsign.Signer,
	created bool, err error) {
	keyPath, certPath := filepath.Join(dir, pdfKeyFile), filepath.Join(dir, pdfCertFile)
	keyPEM, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		s, err := createPDFSigner(dir, keyPath, certPath, office, now)
		return s, err == nil, err
	}
	if err != nil {
		return pdfsign.Signer{}, false, fmt.Errorf("read PDF signing key: %w", err)
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return pdfsign.Signer{}, false, fmt.Errorf("read PDF signing certificate: %w", err)
	}
	s, err = parsePDFSigner(keyPEM, certPEM)
	if err != nil {
		return pdfsign.Signer{}, false, fmt.Errorf("PDF signing key in %s: %w", dir, err)
	}
	return s, false, nil
}

func createPDFSigner(dir, keyPath, certPath, office string, now time.Time) (pdfsign.Signer,
	error) {
	key, cert, err := pdfsign.NewSelfSigned(office, now.Add(-time.Hour), now.Add(pdfCertLife))
	if err != nil {
		return pdfsign.Signer{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return pdfsign.Signer{}, fmt.Errorf("encode PDF signing key: %w", err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return pdfsign.Signer{}, fmt.Errorf("create keys folder: %w", err)
	}
	// The certificate first: a key file without its certificate would be
	// taken as a broken pair at the next start, never silently replaced.
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := writeExclusive(certPath, certPEM, 0o644); err != nil {
		return pdfsign.Signer{}, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeExclusive(keyPath, keyPEM, 0o600); err != nil {
		return pdfsign.Signer{}, err
	}
	return pdfsign.Signer{Key: key, Cert: cert}, nil
}

func parsePDFSigner(keyPEM, certPEM []byte) (pdfsign.Signer, error) {
	kb, _ := pem.Decode(keyPEM)
	cb, rest := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return pdfsign.Signer{}, errors.New("key or certificate is not PEM")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return pdfsign.Signer{}, err
	}
	key, ok := parsed.(crypto.Signer)
	if !ok {
		return pdfsign.Signer{}, errors.New("the key cannot sign")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return pdfsign.Signer{}, err
	}
	s := pdfsign.Signer{Key: key, Cert: cert}

	// Any further certificates in the file are the chain to a CA.
	for b, r := pem.Decode(rest); b != nil; b, r = pem.Decode(r) {
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return pdfsign.Signer{}, fmt.Errorf("chain: %w", err)
		}
		s.Chain = append(s.Chain, c)
	}
	return s, nil
}

// writeExclusive writes a new file, never overwriting one.
func writeExclusive(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("create %s: %w", filepath.Base(path), err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
