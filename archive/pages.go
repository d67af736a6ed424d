package archive

import (
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers the JPEG decoder for image.Decode
	_ "image/png"  // registers the PNG decoder for image.Decode
	"io"
	"math"
	"os"

	"github.com/sijil-municipality/sijil"
)

// pageSource is one page of a scan whose size is known but whose pixels
// are not decoded yet, so that limits are checked before any memory is
// spent and pages can be decoded in parallel.
type pageSource struct {
	number        int // from 1
	width, height int
	model         color.Model // nil when the format does not say before decoding
	decode        func(ctx context.Context) (image.Image, error)
}

// splitPages lists the pages of the scan in f. Every page's size is checked
// against the limits here, before anything is decoded, and a page above
// the OCR budget is set to decode scaled down (see capPages). tmp is a folder
// owned by the caller, for the PDF rasteriser's output.
func splitPages(ctx context.Context, f *os.File, size int64, media string,
	lim Limits, tmp string) ([]pageSource, error) {
	var (
		pages []pageSource
		err   error
	)
	switch media {
	case MediaTIFF:
		pages, err = tiffPages(ctx, f, size, lim, tmp)
	case MediaPDF:
		pages, err = pdfPages(ctx, f.Name(), lim, tmp)
	case MediaJPEG, MediaPNG:
		pages, err = singleImage(f, size, media)
	default:
		err = fmt.Errorf("archive: no page splitter for %q", media)
	}
	if err != nil {
		return nil, err
	}

	if len(pages) == 0 {
		return nil, sijil.Errorf(sijil.Invalid, "archive.no_pages",
			"the file has no pages")
	}
	for _, p := range pages {
		if err := checkPixels(p.number, p.width, p.height, lim); err != nil {
			return nil, err
		}
	}
	capPages(ctx, pages, f.Name(), media, lim, tmp)
	var total int64
	for _, p := range pages {
		if err := checkDecodedBytes(p, lim); err != nil {
			return nil, err
		}
		total += int64(p.width) * int64(p.height)
	}
	if total > lim.MaxFilePixels {
		return nil, sijil.Errorf(sijil.TooLarge, "archive.file_too_many_pixels",
			"the %d pages of this file add up to %d million pixels to read; the limit is "+
				"%d million a file: split it into smaller files, or scan it at a lower "+
				"resolution", len(pages), total/1e6, lim.MaxFilePixels/1e6)
	}
	return pages, nil
}

// checkPixels refuses a page whose pixel count would exceed the limit, or
// whose size is nonsense.
func checkPixels(number, w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return sijil.Errorf(sijil.Invalid, "archive.damaged_file",
			"page %d says it is %d × %d pixels; the file is damaged", number, w, h)
	}
	if int64(w)*int64(h) > lim.MaxPixels {
		return sijil.Errorf(sijil.TooLarge, "archive.page_too_large",
			"page %d is %d × %d pixels (%.1f million); the limit is %.1f million "+
				"per page: scan it at a lower resolution",
			number, w, h, float64(w)*float64(h)/1e6, float64(lim.MaxPixels)/1e6)
	}
	// Tesseract reads no image with a side over maxSide pixels. A page
	// above the OCR budget is scaled down first (capPages), which may
	// bring its long side within reach.
	side := float64(max(w, h))
	if px := float64(w) * float64(h); px > float64(lim.MaxOCRPixels) {
		side *= math.Sqrt(float64(lim.MaxOCRPixels) / px)
	}
	if side > maxSide {
		return sijil.Errorf(sijil.TooLarge, "archive.page_too_long",
			"page %d is %d × %d pixels: a side of a page can be at most %d pixels, for "+
				"OCR; scan a long strip in parts", number, w, h, maxSide)
	}
	return nil
}

// maxSide is the longest side, in pixels, that Tesseract reads.
const maxSide = 32767

// checkDecodedBytes refuses a page whose decoded image would take more
// memory than the limit: pixels alone undercount a 16-bit colour page,
// which takes eight bytes a pixel, and a worker decodes one per CPU.
func checkDecodedBytes(p pageSource, lim Limits) error {
	need := int64(p.width) * int64(p.height) * int64(bytesPerPixel(p.model))
	if need <= lim.MaxDecodedBytes {
		return nil
	}
	return sijil.Errorf(sijil.TooLarge, "archive.page_too_deep",
		"page %d would take %d MB of memory to read (%d × %d pixels, %d bytes each); the "+
			"limit is %d MB: scan it in greyscale or 8-bit colour, or at a lower resolution",
		p.number, need>>20, p.width, p.height, bytesPerPixel(p.model), lim.MaxDecodedBytes>>20)
}

// bytesPerPixel is what Go's decoders allocate a pixel for the colour
// model; an unknown model is counted as 8-bit RGBA.
func bytesPerPixel(m color.Model) int {
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	return 4
}

// singleImage reads the header of a JPEG or PNG file, which is one page.
func singleImage(f *os.File, size int64, media string) ([]pageSource, error) {
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(f, 0, size))
	if err != nil {
		return nil, damaged(media, 1, err)
	}

	decode := func(context.Context) (image.Image, error) {
		img, _, err := image.Decode(io.NewSectionReader(f, 0, size))
		if err != nil {
			return nil, damaged(media, 1, err)
		}
		return img, nil
	}
	return []pageSource{{number: 1, width: cfg.Width, height: cfg.Height,
		model: cfg.ColorModel, decode: decode}}, nil
}

// damaged is the refusal for a file whose bytes cannot be decoded.
func damaged(media string, page int, cause error) error {
	return sijil.Errorf(sijil.Invalid, "archive.damaged_file",
		"page %d of this %s file cannot be read; it may be truncated or damaged: %w",
		page, typeName(media), cause)
}

// typeName is the word a clerk uses for a media type.
func typeName(media string) string {
	switch media {
	case MediaPDF:
		return "PDF"
	case MediaTIFF:
		return "TIFF"
	case MediaJPEG:
		return "JPEG"
	case MediaPNG:
		return "PNG"
	}
	return media
}
