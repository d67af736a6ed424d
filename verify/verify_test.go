package verify_test

import (
	"encoding/base32"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/verify"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// issued is a signed token with its content, made the way certs makes them.
type issued struct {
	signer  *certs.Signer
	token   string
	content []byte
}

func issue(t *testing.T, mutate func(*verify.Content)) issued {
	t.Helper()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	signer, _, err := certs.LoadOrCreateSigner(t.TempDir(), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	id := []byte("0123456789")
	claims := verify.Claims{Kind: verify.KindBuilding, Schema: verify.SchemaVersion, ID: id,
		IssuedAt: now.Unix()}
	content := verify.Content{Kind: verify.KindBuilding, Schema: verify.SchemaVersion,
		ID: claims.CertID(), IssuedAt: now.Unix(), Issuer: "بلدية المدينة",
		Building: &verify.Building{HolderName: "أحمد", HolderID: "123456782", Parcel: "1",
			Floors: []verify.Floor{{Level: "الأرضي", AreaM2: "120.5", Use: "سكني"}}}}
	if mutate != nil {
		mutate(&content)
	}
	encoded, err := content.Encode()
	if err != nil {
		t.Fatal(err)
	}
	claims.Digest = verify.Digest(encoded)
	token, err := signer.SignClaims(claims)
	if err != nil {
		t.Fatal(err)
	}
	return issued{signer: signer, token: token, content: encoded}
}

func (i issued) check(token string, content []byte) verify.Result {
	return (&verify.Verifier{Keys: i.signer.KeySet("test")}).Check(token, content)
}

func TestGenuineCertificateIsValid(t *testing.T) {
	c := issue(t, nil)
	res := c.check(c.token, c.content)
	if res.Status != verify.StatusValid || !res.ContentChecked {
		t.Fatalf("genuine certificate: %+v", res)
	}
	if got := res.Content.Building.HolderID; got != "••••••782" {
		t.Errorf("national ID shown as %q, want it masked to its last 3 digits", got)
	}
	if res.CertID != "GAYT-EMZU-GU3D-OOBZ" {
		t.Errorf("certificate id %q", res.CertID)
	}
}

func TestTamperedTokensAreInvalid(t *testing.T) {
	c := issue(t, nil)
	raw, err := b32.DecodeString(c.token)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"lower case spelling of the same bytes", strings.ToLower(c.token)},
		{"padded spelling of the same bytes", base32.StdEncoding.EncodeToString(raw)},
		{"spare bits set in the last character", spareBits(c.token)},
		{"tagged COSE_Sign1 around the same signature", b32.EncodeToString(
			append([]byte{0xd2}, raw...))},
		{"truncated", c.token[:len(c.token)-8]},
		{"not base32", c.token[:20] + "!" + c.token[21:]},
		{"too long", strings.Repeat("A", 5000)},
	}
	// Every single-bit flip of the signed bytes must be caught.
	for bit := 0; bit < len(raw)*8; bit++ {
		flipped := append([]byte(nil), raw...)
		flipped[bit/8] ^= 1 << (bit % 8)
		tests = append(tests, struct{ name, token string }{
			name: "bit flipped", token: b32.EncodeToString(flipped)})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.check(tt.token, nil)
			if res.Status != verify.StatusInvalid || res.Reason == "" {
				t.Fatalf("want invalid with a reason, got %+v", res)
			}
			if res.CertID != "" || res.Content != nil {
				t.Errorf("an invalid token must reveal nothing, got %+v", res)
			}
		})
	}
}

// spareBits sets the unused low bits of the last base32 character: the same
// bytes decode, but the text is not the one canonical spelling.
func spareBits(token string) string {
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", token[len(token)-1])
	alt := "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last|1]
	if int(alt) == int(token[len(token)-1]) {
		alt = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last&^1]
	}
	return token[:len(token)-1] + string(alt)
}

func TestContentMustMatchTheSignature(t *testing.T) {
	c := issue(t, nil)
	other := issue(t, func(content *verify.Content) { content.Building.HolderName = "محمود" })

	tests := []struct {
		name    string
		content []byte
	}{
		{"edited field", other.content},
		{"one byte changed", flipLastByte(c.content)},
		{"not CBOR", []byte("hello")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.check(c.token, tt.content)
			if res.Status != verify.StatusInvalid || res.ReasonKey != "verify.content_mismatch" {
				t.Fatalf("want invalid content, got %+v", res)
			}
		})
	}
}

func flipLastByte(b []byte) []byte {
	out := append([]byte(nil), b...)
	out[len(out)-1] ^= 1
	return out
}

func TestKeysDecide(t *testing.T) {
	c := issue(t, nil)
	stranger := issue(t, nil)

	res := stranger.check(c.token, nil)
	if res.Status != verify.StatusInvalid || res.ReasonKey != "verify.unknown_key" {
		t.Errorf("token from another key: want unknown key, got %+v", res)
	}

	ks := c.signer.KeySet("test")
	when := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	ks.Keys[0].Compromised = &when
	res = (&verify.Verifier{Keys: ks}).Check(c.token, c.content)
	if res.Status != verify.StatusInvalid || res.ReasonKey != "verify.key_compromised" {
		t.Errorf("token signed after its key was compromised: got %+v", res)
	}

	ks.Keys[0].Compromised = nil
	ks.Keys[0].NotBefore = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	res = (&verify.Verifier{Keys: ks}).Check(c.token, c.content)
	if res.Status != verify.StatusInvalid || res.ReasonKey != "verify.before_key" {
		t.Errorf("token dated before its key existed: got %+v", res)
	}
}

func TestTokenURLStaysAlphanumeric(t *testing.T) {
	c := issue(t, nil)
	url := verify.TokenURL("https://sijil.example.org", c.token)
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for _, r := range url {
		if !strings.ContainsRune(alnum, r) {
			t.Fatalf("QR text %q has %q, outside the QR alphanumeric set", url, r)
		}
	}
	got, err := verify.TokenFromText(strings.ToLower(url[:8]) + url[8:])
	if err != nil || got != c.token {
		t.Errorf("TokenFromText(%q) = %q, %v", url, got, err)
	}
	t.Logf("QR text is %d characters", len(url))
}

// TestLinkURLIsClickable pins the link printed by sijil serve --demo,
// which was HTTP://127.0.0.1:8080/V/…, upper case for the QR, and which
// some terminals would not make clickable.
func TestLinkURLIsClickable(t *testing.T) {
	c := issue(t, nil)
	for base, want := range map[string]string{
		"http://127.0.0.1:8080":              "http://127.0.0.1:8080/V/",
		"https://Sijil.Example.org/Portal/":  "https://sijil.example.org/Portal/V/",
		"HTTPS://SIJIL.EXAMPLE.ORG:8443/a/b": "https://sijil.example.org:8443/a/b/V/",
	} {
		got := verify.LinkURL(base, c.token)
		if got != want+c.token {
			t.Errorf("LinkURL(%q) = %q, want %q+token", base, got, want)
		}
		if tok, err := verify.TokenFromText(got); err != nil || tok != c.token {
			t.Errorf("TokenFromText(LinkURL(%q)) = %q, %v", base, tok, err)
		}
	}
}

// TestTokenFromTextRefusesTwoTokenPaths pins a bug: a text with "/V/" twice
// gave the token after the last one, so a link whose path named another
// token first verified as the certificate named last.
func TestTokenFromTextRefusesTwoTokenPaths(t *testing.T) {
	c := issue(t, nil)
	for _, text := range []string{
		"https://evil.example/V/AAAA/V/" + c.token,
		"https://sijil.example.org/V/" + c.token + "?next=/V/AAAA",
		"/V//V/" + c.token,
	} {
		got, err := verify.TokenFromText(text)
		if !errors.Is(err, verify.ErrMalformed) {
			t.Errorf("TokenFromText(%q) = %q, %v; want ErrMalformed", text, got, err)
		}
	}
	pasted := " https://sijil.example.org/V/" + c.token + "\n"
	if got, err := verify.TokenFromText(pasted); err != nil ||
		got != c.token {
		t.Errorf("TokenFromText of one link = %q, %v; want its token", got, err)
	}
}
