package archive

// Limits bound what one scan may cost, so that a hostile or broken file (a
// decompression bomb, a PDF of a million pages) is refused before it takes
// the server's memory or hours of OCR. A zero field takes its default.
type Limits struct {
	MaxBytes  int64 // size of the uploaded file; default 200 MiB
	MaxPages  int   // pages in one file; default 500
	MaxPixels int64 // pixels of one page as scanned; default 250 million

	// MaxOCRPixels is the most pixels a page is read, corrected and shown
	// at; a larger page (a plan) is scaled down to it, with bounded
	// memory, and its original kept. Default 40 million.
	MaxOCRPixels int64

	// MaxDecodedBytes bounds the memory one decoded page takes; default
	// 256 MiB, an A3 page at 600 dpi in 8-bit colour.
	MaxDecodedBytes int64

	// MaxFilePixels bounds the pixels read over all of a file's pages,
	// after plans are scaled down: a small file whose pages all point at
	// one huge blank strip would otherwise cost hours of OCR. Default 5
	// billion, a full 500-page register of A4 pages at 300 dpi.
	MaxFilePixels int64
}

// Default limits. 250 Mpx is an A0 plan at 400 dpi (about 13,200 ×
// 18,700); more is no scan but a decompression bomb. 40 Mpx is an A3 page
// at 500 dpi, more than Tesseract needs for the smallest print; 500 pages
// is a thick register.
const (
	DefaultMaxBytes     = 200 << 20
	DefaultMaxPages     = 500
	DefaultMaxPixels    = 250_000_000
	DefaultMaxOCRPixels = 40_000_000

	DefaultMaxDecodedBytes = 256 << 20
	DefaultMaxFilePixels   = 5_000_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxOCRPixels <= 0 {
		l.MaxOCRPixels = DefaultMaxOCRPixels
	}
	if l.MaxDecodedBytes <= 0 {
		l.MaxDecodedBytes = DefaultMaxDecodedBytes
	}
	if l.MaxFilePixels <= 0 {
		l.MaxFilePixels = DefaultMaxFilePixels
	}
	return l
}
