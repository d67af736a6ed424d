package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// variant is one way a printed certificate comes back as an image.
type variant struct {
	name   string
	dpi    int
	from   string   // the variant whose image this one degrades further, if any
	magick []string // ImageMagick operators; none decodes the render as it is
}

// skew is issue #3's degradation: a page fed 2° askew into a scanner whose
// optics blur by 0.6 px.
var skew = []string{"-rotate", "2", "-blur", "0x0.6"}

// variants run on every case. "clean" is the baseline: a failure there is
// the code's or the crop's fault, not the degradation's. "copy" is a
// photocopy: the same skew and blur, grey levels pushed towards black and
// white, and toner noise. "100dpi" is the cheaper scanner.
var variants = []variant{
	{name: "clean", dpi: 150},
	{name: "blur", dpi: 150, magick: skew},
	{name: "copy", dpi: 150, from: "blur",
		magick: []string{"-level", "10%,90%", "-attenuate", "0.3", "+noise", "Gaussian"}},
	{name: "100dpi", dpi: 100, magick: skew},
}

// crop is the part of the A4 page that is rasterised, in mm from the top
// left: the bottom-left corner where the renderer puts the QR code (its
// left edge on the 18 mm margin, its foot 37 mm above the page's) with
// its quiet zone, for codes up to maxCropMM. Rasterising a fifteenth of
// the page makes a full run several times faster and changes nothing for
// the code: blur and noise are local, and rotating the whole page is this
// rotation plus a shift.
var crop = struct{ x, y, w, h float64 }{x: 8, y: 207, w: 62, h: 62}

// maxCropMM is the largest code the crop holds whole.
const maxCropMM = 45

// rasterise renders the PDF's page at dpi into png, cropped to the corner.
func rasterise(ctx context.Context, pdf, png string, dpi int) error {
	px := func(mm float64) string { return strconv.Itoa(int(mm * float64(dpi) / 25.4)) }
	prefix := strings.TrimSuffix(png, ".png")
	return command(ctx, "pdftoppm", "-r", strconv.Itoa(dpi), "-png", "-singlefile",
		"-x", px(crop.x), "-y", px(crop.y), "-W", px(crop.w), "-H", px(crop.h), pdf, prefix)
}

// degrade applies the variant's operators to in and writes out. The seed
// makes the photocopy noise the same on every run.
func degrade(ctx context.Context, v variant, in, out string, seed int) error {
	args := append([]string{in, "-seed", strconv.Itoa(seed)}, v.magick...)
	return command(ctx, "convert", append(args, out)...)
}

// decode returns the text of the QR codes zbarimg finds in png, one a line,
// or "" when it finds none. Only QR codes are looked for, as a verifier's
// phone does: zbarimg's 1D decoders otherwise now and then read the
// caption's text as a barcode and add a line.
func decode(ctx context.Context, png string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
		png)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()

	// zbarimg exits 4 when the image holds no code it can read.
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("zbarimg %s: %w: %s", png, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSuffix(stdout.String(), "\n"), nil
}

// command runs a tool and puts its error output in the error.
func command(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err,
			strings.TrimSpace(string(out)))
	}
	return nil
}

// checkTools fails early, naming the package to install, when a tool is
// missing, rather than after the first case.
func checkTools() error {
	for tool, pkg := range map[string]string{"pdftoppm": "poppler-utils",
		"convert": "imagemagick", "zbarimg": "zbar-tools"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found (Debian package %s): %w", tool, pkg, err)
		}
	}
	return nil
}

// removeAll deletes files that are no longer wanted.
func removeAll(paths ...string) error {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", filepath.Base(p), err)
		}
	}
	return nil
}
