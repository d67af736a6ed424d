package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/sijil-municipality/sijil"
)

// capPages makes every page larger than lim.MaxOCRPixels, such as a plan
// scanned at full size, decode at a resolution scaled down to that many
// pixels. The scaled page is what is read, corrected and shown; the
// original file is stored as it came. Image pages are scaled by libvips's
// vipsthumbnail, which streams the file through a few strips of memory
// instead of decoding it whole as Go's decoders would; PDF pages are
// rendered by pdftoppm at a lower resolution to begin with.
//
// Measured on a 12,000 × 9,000 bi-level plan (BenchmarkIngestHugePlan):
// vipsthumbnail peaks at 77 MB and 1.4 s scaling it to 40 Mpx; Go's own
// decoding would have held 108 MB for the pixels alone. The ingest
// process peaked at 225 MB; Tesseract on the 40 Mpx page at 450-670 MB,
// which is what MaxOCRPixels trades against the smallest print a plan
// keeps legible.
func capPages(ctx context.Context, pages []pageSource, path, media string, lim Limits,
	tmp string) {
	for i, p := range pages {
		px := float64(p.width) * float64(p.height)
		if px <= float64(lim.MaxOCRPixels) {
			continue
		}
		scale := math.Sqrt(float64(lim.MaxOCRPixels) / px)
		w, h := int(float64(p.width)*scale), int(float64(p.height)*scale)
		number := p.number

		var decode func(context.Context) (image.Image, error)
		if media == MediaPDF {
			pw := pdfPasswordArgs(ctx)
			// pdftoppm rounds a page's size up to whole pixels: stay a
			// little under the budget, in the hundredths of a dpi it takes.
			dpi := math.Floor(pdfDPI*scale*0.999*100) / 100
			decode = func(ctx context.Context) (image.Image, error) {
				return rasterise(ctx, path, number, dpi, pw, tmp)
			}
		} else {
			decode = func(ctx context.Context) (image.Image, error) {
				return shrink(ctx, path, media, number, w, h, tmp)
			}
		}
		pages[i] = pageSource{number: number, width: w, height: h, decode: decode}
	}
}

// shrink scales page n (from 1) of the image file at path to fit w × h
// pixels with vipsthumbnail and decodes the result. One thread is enough:
// pages run in parallel already, and each thread holds its own strips.
func shrink(ctx context.Context, path, media string, n, w, h int, tmp string) (
	image.Image, error) {
	in := path
	if media == MediaTIFF {
		in += "[page=" + strconv.Itoa(n-1) + "]"
	}
	out := filepath.Join(tmp, "shrunk-"+strconv.Itoa(n)+".png")
	defer os.Remove(out)

	tctx, cancel := withToolTimeout(ctx)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(tctx, "vipsthumbnail", in, "--size",
		strconv.Itoa(w)+"x"+strconv.Itoa(h), "--no-rotate", "--vips-concurrency=1",
		"-o", out)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if terr := toolTimedOut(ctx, tctx, "vipsthumbnail"); terr != nil {
			return nil, terr
		}
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
			return nil, sijil.Errorf(sijil.Unavailable, "archive.tool_missing",
				"vipsthumbnail, which reads very large pages, is not installed; install "+
					"the Debian package libvips-tools: %w", err)
		}
		return nil, damaged(media, n, fmt.Errorf("vipsthumbnail: %w: %s", err,
			lastLine(stderr.String())))
	}

	f, err := os.Open(out)
	if err != nil {
		return nil, fmt.Errorf("archive: vipsthumbnail wrote no page %d: %w", n, err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("archive: decoding page %d scaled by vipsthumbnail: %w", n, err)
	}
	return img, nil
}
