package verify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/verify"
)

func TestCheckCodeCatchesTypingMistakes(t *testing.T) {
	code := verify.CheckCode([]byte("0123456789"))
	if len(code) != 14 || code[4] != '-' || code[9] != '-' {
		t.Fatalf("check code %q: want XXXX-XXXX-XXXX", code)
	}
	for _, typed := range []string{code, strings.ToLower(code),
		strings.ReplaceAll(code, "-", " "), strings.ReplaceAll(code, "O", "0")} {
		if got, err := verify.ParseCheckCode(typed); err != nil || got != code {
			t.Errorf("ParseCheckCode(%q) = %q, %v; want %q", typed, got, err, code)
		}
	}

	plain := strings.ReplaceAll(code, "-", "")
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	for i := range plain {
		// Every single substitution is caught.
		for _, c := range alphabet {
			if byte(c) == plain[i] {
				continue
			}
			typo := plain[:i] + string(c) + plain[i+1:]
			if _, err := verify.ParseCheckCode(typo); !errors.Is(err, verify.ErrMistyped) {
				t.Fatalf("mistyped %q (from %q) was not caught: %v", typo, plain, err)
			}
		}
		// So is every swap of two different neighbours.
		if i+1 < len(plain) && plain[i] != plain[i+1] {
			swap := plain[:i] + string(plain[i+1]) + string(plain[i]) + plain[i+2:]
			if _, err := verify.ParseCheckCode(swap); err == nil {
				t.Errorf("swapped %q (from %q) was not caught", swap, plain)
			}
		}
	}
}
