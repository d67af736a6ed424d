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
