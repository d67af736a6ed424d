package archive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
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

// pdfPages lists the pages of a PDF with pdfinfo and rasterises each one,
// when it is decoded, with pdftoppm into tmp.
func pdfPages(ctx context.Context, path string, lim Limits, tmp string) ([]pageSource, error) {
	pw := pdfPasswordArgs(ctx)
	info, err := pdfinfo(ctx, pw, path)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(info["Pages"])
	if err != nil {
		return nil, damaged(MediaPDF, 1, errors.New("pdfinfo found no page count"))
	}
	if n > lim.MaxPages {
		return nil, tooManyPages(lim.MaxPages)
	}

	// pdfinfo prints every page's size only when asked for a page range.
	sizes, err := pdfinfo(ctx, pw, "-f", "1", "-l", strconv.Itoa(n), path)
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
		pages[i] = pageSource{number: number, width: w, height: h,
			decode: func(ctx context.Context) (image.Image, error) {
				return rasterise(ctx, path, number, pdfDPI, pw, tmp)
			}}
	}
	return pages, nil
}

// pdfinfo runs poppler's pdfinfo with the password arguments pw and
// returns its "Key: value" lines.
func pdfinfo(ctx context.Context, pw []string, args ...string) (map[string]string, error) {
	var stderr bytes.Buffer
	tctx, cancel := withToolTimeout(ctx)
	defer cancel()
	cmd := exec.CommandContext(tctx, "pdfinfo", append(slices.Clone(pw), args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if terr := toolTimedOut(ctx, tctx, "pdfinfo"); err != nil && terr != nil {
		return nil, terr
	}
	if err != nil {
		return nil, popplerError(ctx, "pdfinfo", err, stderr.String(), pw != nil)
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
	v, ok := info[fmt.Sprintf("Page %4d size", n)]
	if !ok {
		return 0, 0, fmt.Errorf("pdfinfo gave no size for page %d", n)
	}
	var wpt, hpt float64
	if _, err := fmt.Sscanf(v, "%g x %g", &wpt, &hpt); err != nil {
		return 0, 0, fmt.Errorf("page size %q: %w", v, err)
	}
	px := func(pt float64) int { return int(math.Ceil(pt / 72 * pdfDPI)) }
	return px(wpt), px(hpt), nil
}

// rasterise renders one page of a PDF to a grey image at dpi, with the
// password arguments pw.
func rasterise(ctx context.Context, path string, page int, dpi float64, pw []string,
	tmp string) (image.Image, error) {
	prefix := filepath.Join(tmp, "pdf-page-"+strconv.Itoa(page))
	n := strconv.Itoa(page)
	var stderr bytes.Buffer
	tctx, cancel := withToolTimeout(ctx)
	defer cancel()
	args := append(slices.Clone(pw), "-r", strconv.FormatFloat(dpi, 'f', 2, 64), "-gray",
		"-f", n, "-l", n, "-singlefile", path, prefix)
	cmd := exec.CommandContext(tctx, "pdftoppm", args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if terr := toolTimedOut(ctx, tctx, "pdftoppm"); terr != nil {
			return nil, terr
		}
		return nil, popplerError(ctx, "pdftoppm", err, stderr.String(), pw != nil)
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
