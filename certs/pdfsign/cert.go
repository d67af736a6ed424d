package pdfsign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// oidDocumentSigning is id-kp-documentSigning (RFC 9336), the extended key
// usage that says a certificate is meant for signing documents.
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// NewSelfSigned makes an ECDSA P-256 key and a self-signed
// document-signing certificate for commonName (the office's name), valid
// from notBefore to notAfter. It is for the embedded default where the
// municipality has no CA-issued certificate: PDF tools then check the
// signature but report its issuer as unknown.
func NewSelfSigned(commonName string, notBefore, notAfter time.Time) (
	crypto.Signer, *x509.Certificate, error,
) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("pdfsign: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("pdfsign: certificate serial: %w", err)
	}

	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		// ContentCommitment (non-repudiation) is what signing a document means.
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		// NSS, behind pdfsig, checks a PDF signer as an e-mail signer:
		// without emailProtection it rejects a certificate that lists
		// only documentSigning.
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidDocumentSigning},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("pdfsign: create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("pdfsign: parse certificate: %w", err)
	}
	return key, cert, nil
}
