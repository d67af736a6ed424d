package issuancelog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// keyFile is the log's signing key file in the keys folder. It holds one
// note signer key, "PRIVATE+KEY+<name>+<hash>+<keydata>".
const keyFile = "issuancelog.key"

// LoadOrCreateKey reads the log's checkpoint signing key from dir, or makes
// a new one there (mode 0600) when there is none; created says which. The
// key is named after origin, and a key made for another origin is refused:
// verifiers pin the origin with the key. verifierKey is the public note
// verifier key to publish. The caller must warn loudly on creation: a new
// key means a new log in the eyes of every verifier.
func LoadOrCreateKey(dir, origin string) (signer note.Signer, verifierKey string,
	created bool, err error) {
	path := filepath.Join(dir, keyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		signer, verifierKey, err := createKey(dir, path, origin)
		return signer, verifierKey, err == nil, err
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("read log key: %w", err)
	}

	signer, verifierKey, err = parseKey(strings.TrimSpace(string(data)), origin)
	if err != nil {
		return nil, "", false, fmt.Errorf("log key %s: %w", path, err)
	}
	return signer, verifierKey, false, nil
}

func createKey(dir, path, origin string) (note.Signer, string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, "", fmt.Errorf("generate log key for origin %q: %w", origin, err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create keys folder: %w", err)
	}
	if err := writeNew(path, []byte(skey+"\n")); err != nil {
		return nil, "", fmt.Errorf("write log key: %w", err)
	}
	return parseKey(skey, origin)
}

// writeNew writes a secret file that must not exist yet. O_EXCL: two
// processes starting at once must not each write a key. A half-written
// file is removed, so that the next start makes a key instead of failing.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return errors.Join(err, os.Remove(path))
	}
	return nil
}

// parseKey returns the signer for skey with its public verifier key.
func parseKey(skey, origin string) (note.Signer, string, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("not a note signer key: %w", err)
	}
	if signer.Name() != origin {
		return nil, "", fmt.Errorf("key is for log %q, not %q", signer.Name(), origin)
	}

	verifierKey, err := verifierKeyOf(skey, signer.Name())
	if err != nil {
		return nil, "", err
	}
	verifier, err := note.NewVerifier(verifierKey)
	if err != nil || verifier.KeyHash() != signer.KeyHash() {
		return nil, "", errors.New("key hash does not match the key")
	}
	return signer, verifierKey, nil
}

// verifierKeyOf derives the public key from the signer key's Ed25519 seed:
// the note package has no call for it, and keeping the public key in the
// file too would let the two disagree.
func verifierKeyOf(skey, name string) (string, error) {
	fields := strings.SplitN(skey, "+", 5) // base64 key data may hold "+"
	if len(fields) != 5 {
		return "", errors.New("signer key does not have five fields")
	}
	data, err := base64.StdEncoding.DecodeString(fields[4])
	// The first byte names the algorithm; 1 is Ed25519.
	if err != nil || len(data) != 1+ed25519.SeedSize || data[0] != 1 {
		return "", errors.New("signer key is not an Ed25519 key")
	}

	public := ed25519.NewKeyFromSeed(data[1:]).Public().(ed25519.PublicKey)
	verifierKey, err := note.NewEd25519VerifierKey(name, public)
	if err != nil {
		return "", fmt.Errorf("verifier key: %w", err)
	}
	return verifierKey, nil
}
