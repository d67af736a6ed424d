package sijil_test

import (
	"testing"

	"github.com/sijil-municipality/sijil"
)

func TestValidNationalID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"valid", "123456782", true},
		{"valid in Arabic-Indic digits", "١٢٣٤٥٦٧٨٢", true},
		{"valid in Eastern Arabic digits", "۱۲۳۴۵۶۷۸۲", true},
		{"one digit mistyped", "123456783", false},
		{"neighbours swapped", "213456782", false},
		{"too short", "12345678", false},
		{"too long", "1234567820", false},
		{"letters", "12345678a", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sijil.ValidNationalID(tt.id); got != tt.want {
				t.Errorf("ValidNationalID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

// TestMaskNationalID: an ID is masked one way on every page, whichever
// digits it was typed in, down to its last three.
func TestMaskNationalID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123456782", "••••••782"},
		{"١٢٣٤٥٦٧٨٢", "••••••٧٨٢"},
		{"12", "••"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := sijil.MaskNationalID(tt.in); got != tt.want {
			t.Errorf("MaskNationalID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
