package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"

	"github.com/sijil-municipality/sijil"
)

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane). The
// server must stay under 200 MB with several sign-ins at once on 2 cores,
// which rules out RFC 9106's 64 MiB. The parameters are stored with each
// hash, so raising them later only affects new hashes.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password length rules, in characters. The upper bound keeps hashing
// cheap for a hostile form; staff passwords guard more.
const (
	MinCitizenPassword = 8
	MinStaffPassword   = 12
	maxPassword        = 128
)

// hashPassword returns an encoded argon2id hash with a fresh random salt,
// in the PHC string format: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func hashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads,
		argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory,
		argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// checkPassword reports whether password matches the encoded hash, with
// the parameters stored in it. A malformed hash matches nothing.
func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil ||
		version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false
	}
	// A hash from the database should never ask for more than we write;
	// refusing bounds the work a tampered row could cause.
	if mem > 256*1024 || t > 10 || p == 0 || p > 8 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when no account matches, so that a sign-in takes
// as long whether or not the account exists.
var dummyHash = hashPassword("no such account")

// checkPasswordRule refuses a password that is too short or too long,
// that holds one of the other things on the form (national ID, phone,
// name, login), or that is common or easy to guess, as NIST SP 800-63B
// section 3.1.1.2 asks of a verifier.
func checkPasswordRule(password string, min int, others ...string) error {
	n := utf8.RuneCountInString(password)
	if n < min {
		key := "accounts.password_short"
		if min == MinStaffPassword {
			key = "accounts.password_short_staff"
		}
		return sijil.Errorf(sijil.Invalid, key,
			"The password must have at least %d characters.", min)
	}
	if n > maxPassword {
		return sijil.Errorf(sijil.Invalid, "accounts.password_long",
			"The password must have at most %d characters.", maxPassword)
	}

	if holdsPersonal(password, others) {
		return sijil.Errorf(sijil.Invalid, "accounts.password_guessable",
			"The password must not contain your national ID or phone number, nor be "+
				"your name. Choose another.")
	}
	minScore := minCitizenScore
	if min == MinStaffPassword {
		minScore = minStaffScore
	}
	if zxcvbn.PasswordStrength(password, guessWords(others)).Score < minScore {
		return sijil.Errorf(sijil.Invalid, "accounts.password_common",
			"This password is too common or too easy to guess. Choose a longer one that "+
				"only you would think of, such as three or four unrelated words.")
	}
	return nil
}

// zxcvbn scores estimate guesses: 2 is at least a million, enough behind
// the sign-in rate limit; 3 is at least 10^8, for staff, whose accounts
// open the archive and the signing of certificates.
const (
	minCitizenScore = 2
	minStaffScore   = 3
)

// siteWords are guessed first by anyone attacking Sijil's accounts, the
// "context-specific words" NIST names; the Arabic ones are also a gap in
// zxcvbn's English-only lists ("password" typed in Arabic).
var siteWords = []string{"sijil", "سجل", "سجلي", "بلدية", "البلدية", "municipality",
	"baladiya", "كلمةالسر", "كلمةالمرور", "كلمة السر", "كلمة المرور"}

// holdsPersonal reports whether password is one of others, or holds a
// number among them (national ID, phone) whole, in either digit set.
func holdsPersonal(password string, others []string) bool {
	plain := strings.TrimSpace(password)
	digits := sijil.NormalizeDigits(plain)
	for _, o := range others {
		if o == "" {
			continue
		}
		if strings.EqualFold(plain, o) {
			return true
		}
		num := strings.TrimPrefix(sijil.NormalizeDigits(strings.ReplaceAll(o, " ", "")), "+")
		if len(num) >= 6 && strings.Trim(num, "0123456789") == "" &&
			strings.Contains(digits, num) {
			return true
		}
	}
	return false
}

// guessWords is what zxcvbn should try as dictionary words besides its
// own lists: the person's details, each word of them, and siteWords. A
// password built on one's first name then scores as weak as it is.
func guessWords(others []string) []string {
	words := slices.Clone(siteWords)
	for _, o := range others {
		words = append(words, o)
		words = append(words, strings.FieldsFunc(o, func(r rune) bool {
			return r == ' ' || r == '-' || r == '.' || r == '_'
		})...)
	}
	return words
}
