package archive

import (
	"bytes"
	"fmt"

	"github.com/sijil-municipality/sijil"
)

// The media types Sijil accepts for a scan. They are stored in
// records.media_type.
const (
	MediaPDF  = "application/pdf"
	MediaTIFF = "image/tiff"
	MediaJPEG = "image/jpeg"
	MediaPNG  = "image/png"
)

// sniffLen is how many leading bytes Sniff needs to recognise every
// accepted type.
const sniffLen = 512

var signatures = []struct {
	magic []byte
	media string
}{
	{[]byte("%PDF-"), MediaPDF},
	{[]byte("II*\x00"), MediaTIFF},
	{[]byte("MM\x00*"), MediaTIFF},
	{[]byte("\xFF\xD8\xFF"), MediaJPEG},
	{[]byte("\x89PNG\r\n\x1a\n"), MediaPNG},
}

// Sniff returns the media type of a scan from its first bytes, never from
// its name. Anything other than PDF, TIFF, JPEG or PNG is refused with an
// Invalid error that says what was found.
func Sniff(head []byte) (string, error) {
	// An empty file is no file of the wrong type: the upload or the copy
	// failed, and the archivist must choose the scan again.
	if len(head) == 0 {
		return "", sijil.Errorf(sijil.Invalid, "archive.empty_file",
			"the file is empty: choose the scan again")
	}
	for _, s := range signatures {
		if bytes.HasPrefix(head, s.magic) {
			return s.media, nil
		}
	}

	// Some scanners' PDF writers put junk before the header; readers allow
	// it within the first kilobyte, and so does poppler.
	if bytes.Contains(head[:min(len(head), sniffLen)], []byte("%PDF-")) {
		return MediaPDF, nil
	}

	return "", sijil.Errorf(sijil.Invalid, "archive.unsupported_type",
		"the file is %s, but only PDF, TIFF, JPEG and PNG scans are accepted",
		describe(head))
}

// describe names what the bytes look like, in words a clerk can act on.
func describe(head []byte) string {
	switch {
	case len(head) == 0:
		return "empty"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a ZIP archive (or an Office document)"
	case bytes.HasPrefix(head, []byte("GIF8")):
		return "a GIF image"
	case bytes.HasPrefix(head, []byte("BM")):
		return "a BMP image"
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return "a WebP image"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return "an HEIC or MP4 file"
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		return "an old Office document"
	}
	return fmt.Sprintf("of an unknown type (starting with bytes % x)", head[:min(len(head), 8)])
}
