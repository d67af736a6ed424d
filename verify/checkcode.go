package verify

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// b32Alphabet is RFC 4648 base32: no 0, 1, 8 or 9, so that typed digits
// that look like letters can be read back as those letters.
const b32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// checkCodeData is how many base32 characters of a check code carry data:
// 55 bits, far beyond what a rate-limited client can enumerate, and short
// enough to read out over the phone or send by SMS.
const checkCodeData = 11

// CheckCode returns the short code printed under a certificate's QR code:
// eleven characters derived from the certificate id and a Luhn mod 32
// check character, grouped XXXX-XXXX-XXXX. It is derived by hashing, so it
// reveals nothing of the id.
func CheckCode(id []byte) string {
	sum := sha256.Sum256(append([]byte("sijil/check-code/v1\x00"), id...))
	data := b32.EncodeToString(sum[:])[:checkCodeData]
	code := data + string(b32Alphabet[luhn32(data)])
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// ParseCheckCode normalises a typed check code (case, dashes, spaces, and
// the digits 0, 1 and 8 typed for O, I and B) and checks its check
// character, which catches any single mistyped character and most swaps of
// neighbours. It returns the code as printed.
func ParseCheckCode(s string) (string, error) {
	clean := strings.ToUpper(strings.NewReplacer("-", "", " ", "", "0", "O", "1", "I",
		"8", "B").Replace(s))
	if len(clean) != checkCodeData+1 || strings.Trim(clean, b32Alphabet) != "" {
		return "", fmt.Errorf("%w: a check code has 12 letters and digits", ErrMalformed)
	}
	if b32Alphabet[luhn32(clean[:checkCodeData])] != clean[checkCodeData] {
		return "", fmt.Errorf("%w: the check code was mistyped", ErrMistyped)
	}
	return clean[:4] + "-" + clean[4:8] + "-" + clean[8:], nil
}

// ErrMistyped says that a check code's check character does not match.
var ErrMistyped = fmt.Errorf("mistyped code")

// luhn32 is the Luhn mod N algorithm over the base32 alphabet: the check
// character's index for data.
func luhn32(data string) int {
	const n = len(b32Alphabet)
	factor, sum := 2, 0
	for i := len(data) - 1; i >= 0; i-- {
		addend := factor * strings.IndexByte(b32Alphabet, data[i])
		addend = addend/n + addend%n
		sum += addend
		factor = 3 - factor
	}
	return (n - sum%n) % n
}
