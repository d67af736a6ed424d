package archive

// Limits bound what one scan may cost, so that a hostile or broken file (a
// decompression bomb, a PDF of a million pages) is refused before it takes
// the server's memory or hours of OCR. A zero field takes its default.
type Limits struct {
	MaxBytes  int64 // size of the uploaded file; default 200 MiB
	MaxPages  int   // pages in one file; default 500
	MaxPixels int64 // pixels of one page as decoded; default 60 million

	// MaxDecodedBytes bounds the memory one decoded page takes; default
	// 256 MiB, an A3 page at 600 dpi in 8-bit colour.
	MaxDecodedBytes int64
}

// Default limits. 60 Mpx is an A3 page at 600 dpi (about 7,000 × 9,900)
// with room to spare; 500 pages is a thick register.
const (
	DefaultMaxBytes  = 200 << 20
	DefaultMaxPages  = 500
	DefaultMaxPixels = 60_000_000

	DefaultMaxDecodedBytes = 256 << 20
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
	if l.MaxDecodedBytes <= 0 {
		l.MaxDecodedBytes = DefaultMaxDecodedBytes
	}
	return l
}
