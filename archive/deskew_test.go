package archive_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

// TestDeskew ingests pages turned by a known angle, as a sheet fed askew
// into a scanner comes out, and checks that the skew is found and that
// levelling the page reads at least as well as Tesseract reads the skewed
// page by itself. The real sample was itself scanned about 0.7° askew:
// ImageMagick's own deskew measures that, so the test owes nothing to the
// estimate it checks.
func TestDeskew(t *testing.T) {
	type page struct {
		name, lang string
		png        []byte
		want       string  // the text of the level page
		skew       float64 // of the page before it is turned, by ImageMagick
	}
	pages := []page{{name: "generated", lang: "eng", png: encodePNG(t, textPage(t, pageLines))}}
	if dir := samplesDir(t); dir != "" {
		want, err := os.ReadFile(filepath.Join(dir, "texts", "building-administration.txt"))
		if err != nil {
			t.Fatal(err)
		}
		scan := convert(t, filepath.Join(dir, "scans", "building-administration.tif"))
		pages = append(pages, page{name: "arabic sample", lang: "ara", png: scan, want: string(want)})
	}
	for i := range pages {
		pages[i].skew = magickSkew(t, writeTemp(t, pages[i].png))
		if pages[i].want == "" {
			pages[i].want = bareRead(t, pages[i].png, pages[i].lang)
		}
	}

	for _, p := range pages {
		for _, angle := range []float64{2, -3.5} {
			name := p.name + "/" + strconv.FormatFloat(angle, 'f', -1, 64)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				skewed := convert(t, writeTemp(t, p.png), "-background", "white",
					"-rotate", strconv.FormatFloat(angle, 'f', -1, 64))
				f := newFixture(t, p.lang)

				got := f.mustIngest(t, skewed, "skewed.png")

				pg := got.pages[0]
				if want := angle + p.skew; math.Abs(pg.Skew-want) > 0.5 {
					t.Errorf("skew %.2f°, want %.2f° ± 0.5", pg.Skew, want)
				}
				levelled := charErrorRate(p.want, pg.Text)
				bare := charErrorRate(p.want, bareRead(t, skewed, p.lang))
				t.Logf("skew %.2f°: CER %.3f levelled, %.3f as scanned", pg.Skew,
					levelled, bare)
				if levelled > bare+0.005 {
					t.Errorf("levelling made OCR worse: CER %.3f, %.3f as scanned",
						levelled, bare)
				}
			})
		}
	}
}

// TestDeskewAtTheSearchEdge checks pages askew by as much as the skew
// search covers, where the lines climb or fall furthest across the page.
func TestDeskewAtTheSearchEdge(t *testing.T) {
	level := encodePNG(t, textPage(t, pageLines))
	for _, angle := range []float64{5, -5} {
		t.Run(strconv.FormatFloat(angle, 'f', -1, 64), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "eng")
			scan := convert(t, writeTemp(t, level), "-background", "white",
				"-rotate", strconv.FormatFloat(angle, 'f', -1, 64))

			got := f.mustIngest(t, scan, "skewed.png")

			if s := got.pages[0].Skew; math.Abs(s-angle) > 0.15 {
				t.Errorf("a page %.1f° askew has skew %.2f° recorded", angle, s)
			}
		})
	}
}

// TestLevelPageIsNotTurned checks that a page scanned straight, or so
// nearly straight that levelling would only blur it, keeps its pixels and
// records no skew: a recorded skew says the image was turned back by it.
func TestLevelPageIsNotTurned(t *testing.T) {
	level := encodePNG(t, textPage(t, pageLines))
	for _, angle := range []string{"0", "0.15"} {
		t.Run(angle, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "eng")
			scan := convert(t, writeTemp(t, level), "-background", "white", "-rotate", angle)

			got := f.mustIngest(t, scan, "level.png")

			if s := got.pages[0].Skew; s != 0 {
				t.Errorf("a page %s° askew has skew %.2f° recorded", angle, s)
			}
		})
	}
}

// convert runs ImageMagick on the image file in and returns the PNG it
// writes.
func convert(t *testing.T, in string, args ...string) []byte {
	t.Helper()
	return convertTo(t, in, ".png", args...)
}

// convertTo runs ImageMagick on the image file in and returns the file it
// writes, of the type ext names.
func convertTo(t *testing.T, in, ext string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("convert"); err != nil {
		t.Fatal("ImageMagick's convert is missing; install the Debian package imagemagick")
	}
	out := filepath.Join(t.TempDir(), "out"+ext)
	cmd := exec.Command("convert", append(append([]string{in}, args...), out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("convert %v: %v: %s", args, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// magickSkew is the slope of the lines of an image, in degrees clockwise,
// as ImageMagick's -deskew measures it.
func magickSkew(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("convert", path, "-deskew", "40%", "-format",
		"%[deskew:angle]", "info:").Output()
	if err != nil {
		t.Fatalf("convert -deskew: %v", err)
	}
	a, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("convert -deskew printed %q: %v", out, err)
	}
	return -a // ImageMagick prints the turn that levels the page
}

// bareRead is what Tesseract alone reads on the image.
func bareRead(t *testing.T, png []byte, lang string) string {
	t.Helper()
	r, err := archive.Tesseract{}.Read(context.Background(), writeTemp(t, png),
		[]string{lang})
	if err != nil {
		t.Fatal(err)
	}
	return r.Text
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.png")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
