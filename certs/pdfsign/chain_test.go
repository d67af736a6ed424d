package pdfsign_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/certs/pdfsign"
)

// issue makes a key and a certificate from tmpl, signed by parent's key,
// or self-signed when parent is nil.
func issue(t testing.TB, tmpl *x509.Certificate, parent *pdfsign.Signer) pdfsign.Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issuer, signKey := tmpl, crypto.Signer(key)
	if parent != nil {
		issuer, signKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return pdfsign.Signer{Key: key, Cert: cert}
}

// chain makes a root CA and an office certificate issued by it, with the
// key usages NSS expects of a PDF signer.
func chain(t testing.TB) (root, office pdfsign.Signer) {
	t.Helper()
	root = issue(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Sijil Test Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		IsCA:     true, BasicConstraintsValid: true,
	}, nil)
	office = issue(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "بلدية المدينة"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}, &root)
	office.Chain = []*x509.Certificate{root.Cert}
	return root, office
}

// The municipality's real CA would be used the same way: verifiers add
// its root to their trust store, and the office's certificate chains to it.
func TestCAIssuedChainIsTrusted(t *testing.T) {
	need(t, "certutil", "libnss3-tools")
	root, office := chain(t)
	path := write(t, "signed.pdf", sign(t, inputs(t, nil)["stream"], office))

	nss := t.TempDir()
	run(t, "certutil", "-N", "-d", "sql:"+nss, "--empty-password")
	run(t, "certutil", "-A", "-d", "sql:"+nss, "-n", "Sijil Test Root CA", "-t", "C,C,C",
		"-i", write(t, "root.der", root.Cert.Raw))

	out := pdfsig(t, path, "-nssdir", "sql:"+nss)
	t.Logf("pdfsig with the root trusted:\n%s", out)
	for _, want := range []string{"Signature is Valid.", "Certificate is Trusted."} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
	if out := pdfsig(t, path); strings.Contains(out, "Certificate is Trusted.") {
		t.Errorf("pdfsig trusts the chain without the root in its database:\n%s", out)
	}
}

// Sijil's offline verifier can do what pdfsig does, with the root it ships.
func TestChainVerifiesFromCheckInfo(t *testing.T) {
	root, office := chain(t)
	info, err := pdfsign.Check(sign(t, inputs(t, nil)["table"], office))
	if err != nil {
		t.Fatal(err)
	}

	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.Cert)
	for _, c := range info.Certificates {
		intermediates.AddCert(c)
	}
	if _, err := info.Signer.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: intermediates, CurrentTime: info.Time,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}); err != nil {
		t.Errorf("signer does not chain to the root: %v", err)
	}
}
