package archive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sijil-municipality/sijil"
)

// pdfDPI is the resolution PDF pages are rasterised at: Tesseract is
// trained on text of about 300 dpi.
const pdfDPI = 300

// pdfPasswordKey is the context key of a PDF's password.
type pdfPasswordKey struct{}

// WithPDFPassword returns a context under which Ingest opens a PDF locked
// with a user password, given by the archivist with the file. The password
// may be the user or the owner password. It is never stored or logged;
// while a page is rasterised it is on poppler's command line, which
// offers no other way to take it, and so visible to the server's own
// accounts. A PDF with only an owner password (printing or copying
// restricted) opens without it.
func WithPDFPassword(ctx context.Context, password string) context.Context {
	return context.WithValue(ctx, pdfPasswordKey{}, password)
}

// pdfPasswordArgs are poppler's arguments for the password in ctx, if any.
// Both are given the same password, so that either kind opens the file.
func pdfPasswordArgs(ctx context.Context) []string {
	pw, _ := ctx.Value(pdfPasswordKey{}).(string)
	if pw == "" {
		return nil
	}
	return []string{"-opw", pw, "-upw", pw}
}

// pdfPages lists the pages of a PDF with pdfinfo. A page that is one
// scanned image filling it is decoded as that image, extracted with
// pdfimages: the scan itself, at its own resolution, at a tenth of the
// cost of drawing the page again. Any other page is rasterised, when it is
// decoded, with pdftoppm into tmp.
func pdfPages(ctx context.Context, path string, lim Limits, tmp string) ([]pageSource, error) {
	// pdfinfo prints every page's size only when asked for a page range,
	// which it ends at the last page: one run gives the page count and the
	// sizes (a child process costs a one-page scan ~11 ms of CPU), and
	// prints no more pages than the limit however many the file says. It
	// reads the range as a C int, which a larger limit would wrap.
	pw := pdfPasswordArgs(ctx)
	last := strconv.Itoa(min(lim.MaxPages, math.MaxInt32))
	sizes, err := pdfinfo(ctx, pw, "-f", "1", "-l", last, path)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(sizes["Pages"])
	if err != nil {
		return nil, damaged(MediaPDF, 1, errors.New("pdfinfo found no page count"))
	}
	if n > lim.MaxPages {
		return nil, tooManyPages(lim.MaxPages)
	}
	scans, err := scannedImages(ctx, path, pw, sizes)
	if err != nil {
		return nil, err
	}
	pages := make([]pageSource, n)
	for i := range pages {
		number := i + 1
		w, h, err := pdfPageSize(sizes, number)
		if err != nil {
			return nil, damaged(MediaPDF, number, err)
		}
		scan, isScan := scans[number]
		if isScan {
			w, h = scan.width, scan.height
		}
		pages[i] = pageSource{number: number, width: w, height: h,
			decode: func(ctx context.Context) (image.Image, error) {
				if isScan {
					img, err := extractScan(ctx, path, number, scan, pw, tmp)
					if img != nil || err != nil {
						return img, err
					}
				}
				return rasterise(ctx, path, number, pdfDPI, pw, tmp)
			}}
	}
	return pages, nil
}

// pdfScan is the one image of a page that is a scan.
type pdfScan struct{ width, height int }

// scannedImages finds, with pdfimages -list and pdftotext, the pages
// that are each one image filling the page, unrotated, with no text, at
// about pdfDPI, the resolution Tesseract is told (a scan at another is
// drawn at pdfDPI, as before), as an office scanner writes them. A page
// with anything more (a second image, a mask, a page turned by /Rotate,
// text, even the invisible text of a scan read by OCR, which cannot be
// told here from text printed over a background) is drawn instead.
func scannedImages(ctx context.Context, path string, pw []string,
	sizes map[string]string) (map[int]pdfScan, error) {
	out, err := poppler(ctx, "pdfimages", append(slices.Clone(pw), "-list", path), pw)
	if err != nil {
		return nil, err
	}
	text, err := poppler(ctx, "pdftotext", append(slices.Clone(pw), path, "-"), pw)
	if err != nil {
		return nil, err
	}
	// pdftotext ends every page with a form feed.
	written := map[int]bool{}
	for i, page := range strings.Split(string(text), "\f") {
		written[i+1] = strings.TrimSpace(page) != ""
	}

	images := map[int][]string{} // page: the fields of each of its images
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if page, err := strconv.Atoi(firstOf(f)); err == nil && len(f) >= 14 {
			images[page] = append(images[page], line)
		}
	}
	scans := map[int]pdfScan{}
	for page, lines := range images {
		f := strings.Fields(lines[0])
		w, errW := strconv.Atoi(f[3])
		h, errH := strconv.Atoi(f[4])
		// page num type width height color comp bpc enc interp object ID x-ppi y-ppi …
		xppi, errX := strconv.ParseFloat(f[12], 64)
		yppi, errY := strconv.ParseFloat(f[13], 64)
		wpt, hpt, errP := pdfPagePoints(sizes, page)
		bad := errors.Join(errW, errH, errX, errY, errP)
		if len(lines) != 1 || f[2] != "image" || bad != nil || written[page] ||
			sizes[fmt.Sprintf("Page %4d rot", page)] != "0" {
			continue
		}
		fills := func(px int, ppi, pt float64) bool {
			return math.Abs(ppi-pdfDPI) <= pdfDPI/16 && math.Abs(float64(px)/ppi*72-pt) <= pt/50
		}
		if fills(w, xppi, wpt) && fills(h, yppi, hpt) && math.Abs(xppi-yppi) <= xppi/50 {
			scans[page] = pdfScan{width: w, height: h}
		}
	}
	return scans, nil
}

// poppler runs one of poppler's tools and returns what it printed.
func poppler(ctx context.Context, tool string, args, pw []string) ([]byte, error) {
	var stderr bytes.Buffer
	tctx, cancel := withToolTimeout(ctx)
	defer cancel()
	cmd := exec.CommandContext(tctx, tool, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if terr := toolTimedOut(ctx, tctx, tool); terr != nil {
			return nil, terr
		}
		return nil, popplerError(ctx, tool, err, stderr.String(), pw != nil)
	}
	return out, nil
}

func firstOf(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// extractScan writes page n's image, scan, as TIFF with pdfimages and
// decodes it. It returns no image, and no error, when what came out does
// not look like a scan of a page, mostly white (an image drawn through an
// inverting decode array, say), or not at scan's size: the page is then
// drawn instead.
func extractScan(ctx context.Context, path string, n int, scan pdfScan, pw []string,
	tmp string) (image.Image, error) {
	prefix := filepath.Join(tmp, "pdf-scan-"+strconv.Itoa(n))
	p := strconv.Itoa(n)
	_, err := poppler(ctx, "pdfimages",
		append(slices.Clone(pw), "-f", p, "-l", p, "-tiff", path, prefix), pw)
	if err != nil {
		return nil, err
	}

	name := prefix + "-000.tif"
	defer os.Remove(name)
	f, err := os.Open(name)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	img, err := decodeFirstFrame(f, scan.width, scan.height)
	if err != nil || !mostlyLight(img) {
		return nil, nil
	}
	return img, nil
}

// mostlyLight reports whether more than half of a sample of img's pixels
// are lighter than mid-grey, as on any page of writing.
func mostlyLight(img image.Image) bool {
	b := img.Bounds()
	light, n := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 17 {
		for x := b.Min.X; x < b.Max.X; x += 13 {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y >= 128 {
				light++
			}
			n++
		}
	}
	return 2*light > n
}

// pdfinfo runs poppler's pdfinfo with the password arguments pw and
// returns its "Key: value" lines.
func pdfinfo(ctx context.Context, pw []string, args ...string) (map[string]string, error) {
	out, err := poppler(ctx, "pdfinfo", append(slices.Clone(pw), args...), pw)
	if err != nil {
		return nil, err
	}

	info := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info, sc.Err()
}

// pdfPageSize reads "Page    n size: 595 x 842 pts (A4)" from pdfinfo's
// output and turns it into pixels at pdfDPI.
func pdfPageSize(info map[string]string, n int) (w, h int, err error) {
	wpt, hpt, err := pdfPagePoints(info, n)
	if err != nil {
		return 0, 0, err
	}
	px := func(pt float64) int { return int(math.Ceil(pt / 72 * pdfDPI)) }
	return px(wpt), px(hpt), nil
}

// pdfPagePoints reads page n's size in points from pdfinfo's output.
func pdfPagePoints(info map[string]string, n int) (w, h float64, err error) {
	v, ok := info[fmt.Sprintf("Page %4d size", n)]
	if !ok {
		return 0, 0, fmt.Errorf("pdfinfo gave no size for page %d", n)
	}
	if _, err := fmt.Sscanf(v, "%g x %g", &w, &h); err != nil {
		return 0, 0, fmt.Errorf("page size %q: %w", v, err)
	}
	return w, h, nil
}

// rasterise renders one page of a PDF to a grey image at dpi, with the
// password arguments pw.
func rasterise(ctx context.Context, path string, page int, dpi float64, pw []string,
	tmp string) (image.Image, error) {
	prefix := filepath.Join(tmp, "pdf-page-"+strconv.Itoa(page))
	n := strconv.Itoa(page)
	args := append(slices.Clone(pw), "-r", strconv.FormatFloat(dpi, 'f', 2, 64), "-gray",
		"-f", n, "-l", n, "-singlefile", path, prefix)
	if _, err := poppler(ctx, "pdftoppm", args, pw); err != nil {
		return nil, err
	}

	f, err := os.Open(prefix + ".pgm")
	if err != nil {
		return nil, fmt.Errorf("archive: pdftoppm wrote no image for page %d: %w", page, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	img, err := decodePGM(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("archive: decoding page %d rendered by pdftoppm: %w", page, err)
	}
	return img, nil
}

// popplerError turns a failed poppler command into an error a clerk can
// act on: a missing tool, a password, or a damaged file. withPassword
// says whether a password was given.
func popplerError(ctx context.Context, tool string, err error, stderr string,
	withPassword bool) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return sijil.Errorf(sijil.Unavailable, "archive.tool_missing",
			"%s is not installed; install the Debian package poppler-utils: %w", tool, err)
	case strings.Contains(stderr, "Incorrect password") && withPassword:
		return sijil.Errorf(sijil.Invalid, "archive.pdf_wrong_password",
			"the password given does not open this PDF; check it and import the "+
				"file again")
	case strings.Contains(stderr, "Incorrect password"):
		return sijil.Errorf(sijil.Invalid, "archive.pdf_password",
			"the PDF is protected by a password: give its password with the file, "+
				"or import a copy saved without one")
	}
	return sijil.Errorf(sijil.Invalid, "archive.damaged_file",
		"the PDF cannot be read; it may be truncated or damaged (%s: %s)",
		tool, lastLine(stderr))
}

// lastLine is the last non-empty line of a tool's error output.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// decodePGM reads the binary 8-bit PGM that pdftoppm -gray writes, which
// is quicker for it to write than a PNG and is already grey.
func decodePGM(r *bufio.Reader) (*image.Gray, error) {
	var (
		magic   string
		w, h, m int
	)
	if _, err := fmt.Fscan(r, &magic, &w, &h, &m); err != nil {
		return nil, fmt.Errorf("PGM header: %w", err)
	}
	if magic != "P5" || m != 255 || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("PGM header %s %d %d %d is not 8-bit grey", magic, w, h, m)
	}
	if _, err := r.ReadByte(); err != nil { // the one whitespace after maxval
		return nil, fmt.Errorf("PGM header: %w", err)
	}

	img := image.NewGray(image.Rect(0, 0, w, h))
	if _, err := io.ReadFull(r, img.Pix); err != nil {
		return nil, fmt.Errorf("PGM pixels: %w", err)
	}
	return img, nil
}
