package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/verify"
)

// token is one certificate's QR text and the lines printed with it.
type token struct {
	url       string // the QR text
	certID    string
	checkCode string
	issued    string
}

// newTokens signs n building claims with a throwaway key, exactly as the
// issuer does, so the QR texts have the production length and alphabet;
// random ids and digests give each code a different module pattern.
func newTokens(n int, publicURL string, now time.Time) ([]token, error) {
	dir, err := os.MkdirTemp("", "qrspec-keys-")
	if err != nil {
		return nil, fmt.Errorf("key folder: %w", err)
	}
	defer os.RemoveAll(dir)
	signer, _, err := certs.LoadOrCreateSigner(dir, now)
	if err != nil {
		return nil, fmt.Errorf("throwaway signing key: %w", err)
	}

	out := make([]token, n)
	for i := range out {
		c := verify.Claims{Kind: verify.KindBuilding, Schema: verify.SchemaVersion,
			ID: make([]byte, verify.IDBytes), IssuedAt: now.Unix(), Digest: make([]byte, 32)}
		rand.Read(c.ID) // never fails: see crypto/rand.Read
		rand.Read(c.Digest)
		tok, err := signer.SignClaims(c)
		if err != nil {
			return nil, fmt.Errorf("sign claims: %w", err)
		}
		out[i] = token{url: verify.TokenURL(publicURL, tok), certID: c.CertID(),
			checkCode: verify.CheckCode(c.ID), issued: c.Issued().Format(time.DateOnly)}
	}
	return out, nil
}
