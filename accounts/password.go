package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

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

// checkPasswordRule refuses a password that is too short or too long, or
// that is one of the other things on the form.
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
	for _, o := range others {
		if o != "" && strings.EqualFold(strings.TrimSpace(password), o) {
			return sijil.Errorf(sijil.Invalid, "accounts.password_guessable",
				"The password must not be your national ID, phone or name.")
		}
	}
	return nil
}
