package accounts

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateSecret reads the accounts secret from path, making a new
// random one (mode 0600) if the file does not exist; created says so, so
// that the caller can warn loudly: a new secret on a database with
// citizens in it makes their national IDs unreadable.
func LoadOrCreateSecret(path string) (secret []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		secret, err = hex.DecodeString(string(trimSpace(b)))
		if err != nil || len(secret) < 32 {
			return nil, false, fmt.Errorf("accounts secret %s: want 64 hex digits", path)
		}
		return secret, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read accounts secret: %w", err)
	}

	secret = make([]byte, 32)
	rand.Read(secret)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create key folder: %w", err)
	}
	// O_EXCL: two processes starting at once must not each write a secret.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create accounts secret: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(secret) + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write accounts secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("write accounts secret: %w", err)
	}
	return secret, true, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// mac is the keyed hash under which a value is looked up, in hex. purpose
// separates the uses, so a national ID's hash never equals a code's.
func (s *Service) mac(purpose string, parts ...string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// seal encrypts a value for storage (AES-256-GCM, random nonce).
func (s *Service) seal(plain string) (string, error) {
	block, err := aes.NewCipher(s.encKey)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// open decrypts what seal stored.
func (s *Service) open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return "", fmt.Errorf("accounts: sealed value: %w", err)
	}
	block, err := aes.NewCipher(s.encKey)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(raw) < gcm.NonceSize() {
		return "", fmt.Errorf("accounts: sealed value too short")
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("accounts: sealed value does not open (wrong secret?): %w", err)
	}
	return string(plain), nil
}

// randomID returns prefix followed by 128 random bits in hex.
func randomID(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
