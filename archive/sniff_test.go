package archive_test

import (
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"pdf", "%PDF-1.7\n", archive.MediaPDF},
		{"pdf after junk", "\r\n\r\n%PDF-1.4", archive.MediaPDF},
		{"tiff little-endian", "II*\x00\x08\x00\x00\x00", archive.MediaTIFF},
		{"tiff big-endian", "MM\x00*\x00\x00\x00\x08", archive.MediaTIFF},
		{"jpeg", "\xFF\xD8\xFF\xE0\x00\x10JFIF", archive.MediaJPEG},
		{"png", "\x89PNG\r\n\x1a\n\x00", archive.MediaPNG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := archive.Sniff([]byte(tt.head))
			if err != nil || got != tt.want {
				t.Fatalf("Sniff = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestSniffEmptyFile: an empty upload is told it is empty, not that
// its type is not accepted.
func TestSniffEmptyFile(t *testing.T) {
	_, err := archive.Sniff(nil)
	se := wantKind(t, err, sijil.Invalid, "archive.empty_file")
	if strings.Contains(se.Message, "TIFF") {
		t.Errorf("message %q speaks of types", se.Message)
	}
}

func TestSniffRefuses(t *testing.T) {
	tests := []struct {
		name, head, says string
	}{
		{"zip named scan.pdf", "PK\x03\x04\x14\x00", "ZIP"},
		{"gif", "GIF89a", "GIF"},
		{"text", "hello, archive", "68 65 6c 6c 6f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := archive.Sniff([]byte(tt.head))
			se := wantKind(t, err, sijil.Invalid, "archive.unsupported_type")
			if !strings.Contains(se.Message, tt.says) || !strings.Contains(se.Message, "TIFF") {
				t.Errorf("message %q should name %q and the accepted types", se.Message, tt.says)
			}
		})
	}
}
