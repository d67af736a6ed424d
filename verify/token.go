package verify

import (
	"bytes"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/veraison/go-cose"
)

// TokenPath is the path under the public URL where a token is verified.
// It is upper case so that the whole QR text stays in the QR code's
// alphanumeric mode, which is about a quarter denser than bytes.
const TokenPath = "/V/"

// ExternalAAD binds every certificate signature to this use, so that a
// signature made with the same key for another purpose (a key set, a
// revocation list) can never pass as a certificate.
var ExternalAAD = []byte("sijil/certificate/v1")

// b32 is RFC 4648 base32 without padding: upper-case letters and digits
// only, all in the QR alphanumeric set.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// maxTokenLen bounds the work a hostile token can cause.
const maxTokenLen = 1024

// ErrMalformed is wrapped by every error about a token that cannot be read.
var ErrMalformed = errors.New("malformed certificate token")

// FormatID returns a certificate id as printed: base32 in groups of four.
func FormatID(id []byte) string {
	s := b32.EncodeToString(id)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// ParseID reads a certificate id as printed, ignoring dashes, spaces and
// letter case, which people get wrong when they type it.
func ParseID(s string) ([]byte, error) {
	clean := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	id, err := decodeBase32(clean)
	if err != nil || len(id) != IDBytes {
		return nil, fmt.Errorf("%w: certificate id %q", ErrMalformed, s)
	}
	return id, nil
}

// TokenURL returns the text of the QR code: the verify URL of the token
// under the public base URL. Scheme and host are upper-cased (they are case
// insensitive) to keep the QR in alphanumeric mode; a path in the base URL
// keeps its case.
func TokenURL(publicURL, token string) string {
	base := strings.TrimRight(publicURL, "/")
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		prefix := u.Scheme + "://" + u.Host
		base = strings.ToUpper(prefix) + base[len(prefix):]
	}
	return base + TokenPath + token
}

// LinkURL returns the verify link of the token for people to read or
// click: the QR's text with scheme and host in lower case, since some
// terminals and mail readers make no link of "HTTP://". The token keeps its
// case; both spellings open the same page.
func LinkURL(publicURL, token string) string {
	qr := TokenURL(publicURL, token)
	if u, err := url.Parse(qr); err == nil && u.Host != "" {
		prefix := u.Scheme + "://" + u.Host
		return strings.ToLower(prefix) + qr[len(prefix):]
	}
	return qr
}

// TokenFromText extracts the token from what a QR scanner or a person gives:
// a verify URL or the bare token. A text naming TokenPath more than once is
// refused: which token it means is ambiguous, and picking one let a link
// such as ".../V/FORGED/V/GENUINE" pass as the genuine certificate's.
func TokenFromText(text string) (string, error) {
	text = strings.TrimSpace(text)
	switch strings.Count(text, TokenPath) {
	case 0:
	case 1:
		text = text[strings.Index(text, TokenPath)+len(TokenPath):]
	default:
		return "", fmt.Errorf("%w: the text holds more than one verify link", ErrMalformed)
	}
	if text == "" {
		return "", fmt.Errorf("%w: empty", ErrMalformed)
	}
	return text, nil
}

// EncodeToken returns the token text for a signed, untagged COSE_Sign1.
func EncodeToken(sign1 []byte) string { return b32.EncodeToString(sign1) }

// Decoded is a token taken apart but not yet verified.
type Decoded struct {
	Message *cose.UntaggedSign1Message
	Claims  Claims
	KeyID   string
}

// DecodeToken takes a token apart strictly: one certificate has exactly one
// valid token, so any other spelling of the same bytes (lower case, padding,
// spare bits, non-canonical CBOR, extra headers) is refused.
func DecodeToken(token string) (Decoded, error) {
	if len(token) > maxTokenLen {
		return Decoded{}, fmt.Errorf("%w: too long", ErrMalformed)
	}
	raw, err := decodeBase32(token)
	if err != nil {
		return Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}

	var msg cose.UntaggedSign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		return Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	kid, err := checkHeaders(&msg)
	if err != nil {
		return Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	again, err := msg.MarshalCBOR()
	if err != nil || !bytes.Equal(again, raw) {
		return Decoded{}, fmt.Errorf("%w: not in canonical form", ErrMalformed)
	}

	var c Claims
	if err := unmarshalCanonical(msg.Payload, &c); err != nil {
		return Decoded{}, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	if c.Schema != SchemaVersion || len(c.ID) != IDBytes || len(c.Digest) != 32 {
		return Decoded{}, fmt.Errorf("%w: unknown claims layout", ErrMalformed)
	}
	return Decoded{Message: &msg, Claims: c, KeyID: kid}, nil
}

// decodeBase32 decodes unpadded upper-case base32 and refuses any text that
// does not re-encode to itself (spare bits set in the last character).
func decodeBase32(s string) ([]byte, error) {
	raw, err := b32.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if b32.EncodeToString(raw) != s {
		return nil, errors.New("not in canonical base32")
	}
	return raw, nil
}

// checkHeaders accepts exactly the headers Sijil writes: EdDSA and a key id
// in the protected header, nothing unprotected. It returns the key id.
func checkHeaders(msg *cose.UntaggedSign1Message) (string, error) {
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil || alg != cose.AlgorithmEdDSA {
		return "", errors.New("algorithm is not EdDSA")
	}
	kid, ok := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	if !ok || len(kid) == 0 || len(msg.Headers.Protected) != 2 {
		return "", errors.New("protected header must hold exactly alg and kid")
	}
	if len(msg.Headers.Unprotected) != 0 {
		return "", errors.New("unprotected header must be empty")
	}
	// The raw protected header is the map's encoding wrapped in a byte string.
	inner, err := encMode.Marshal(map[int64]any{1: int64(cose.AlgorithmEdDSA), 4: kid})
	if err != nil {
		return "", err
	}
	want, err := encMode.Marshal(inner)
	if err != nil || !bytes.Equal(want, msg.Headers.RawProtected) {
		return "", errors.New("protected header not in canonical form")
	}
	return fmt.Sprintf("%x", kid), nil
}
