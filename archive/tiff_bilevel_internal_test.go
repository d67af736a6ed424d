package archive

import (
	"bytes"
	"encoding/binary"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

// TestBilevelFastPathMatchesTheDecoder: a bi-level frame read by the fast
// path, Group 4 or uncompressed, is, pixel for pixel, the frame
// golang.org/x/image/tiff reads and normalise turns black and white, in
// every layout scanners and pdfimages write: one strip or many, either bit
// order, white or black as zero, a width that is no whole number of bytes.
// A page image made before the fast path is then made again the same.
func TestBilevelFastPathMatchesTheDecoder(t *testing.T) {
	for _, tool := range []string{"convert", "tiffcp", "tiffset"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run make deps (%v)", tool, err)
		}
	}
	scan := filepath.Join("..", "..", "shared", "samples", "scans", "building-administration.tif")
	if dir := os.Getenv("SIJIL_SAMPLES"); dir != "" {
		scan = filepath.Join(dir, "scans", "building-administration.tif")
	}
	if _, err := os.Stat(scan); err != nil {
		// No real scan here: a drawn page, made bi-level, stands in.
		scan = filepath.Join(t.TempDir(), "drawn.tif")
		mustRun(t, "convert", "-size", "1700x2200", "xc:white", "-fill", "black",
			"-draw", "rectangle 100,100 1600,140", "-draw", "circle 850,1100 850,1500",
			"-monochrome", "-compress", "Group4", scan)
	}

	dir := t.TempDir()
	for name, tools := range map[string][][]string{
		"as scanned":       nil,
		"strips of 64":     {{"tiffcp", "-c", "g4", "-r", "64", scan, "OUT"}},
		"low bit first":    {{"tiffcp", "-c", "g4", "-f", "lsb2msb", scan, "OUT"}},
		"big-endian bytes": {{"tiffcp", "-c", "g4", "-B", scan, "OUT"}},
		"black is zero": {{"tiffcp", "-c", "g4", scan, "OUT"},
			{"tiffset", "-s", "262", "1", "OUT"}},
		"odd width": {{"convert", scan, "-crop", "1699x2000+0+0", "+repage", "-compress",
			"Group4", "OUT"}},
		"uncompressed": {{"tiffcp", "-c", "none", scan, "OUT"}},
		"uncompressed, strips of 25, black is zero": {
			{"tiffcp", "-c", "none", "-r", "25", scan, "OUT"}, {"tiffset", "-s", "262", "1", "OUT"}},
		"uncompressed, odd width, big-endian": {{"convert", scan, "-crop", "1699x2000+0+0",
			"+repage", "-compress", "None", "-endian", "MSB", "OUT"}},
	} {
		t.Run(name, func(t *testing.T) {
			path := scan
			if tools != nil {
				path = filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".tif")
			}
			for _, tool := range tools {
				args := slices.Clone(tool[1:])
				for i, a := range args {
					if a == "OUT" {
						args[i] = path
					}
				}
				mustRun(t, tool[0], args...)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var order binary.ByteOrder = binary.LittleEndian
			if data[0] == 'M' {
				order = binary.BigEndian
			}
			ra := bytes.NewReader(data)

			img, err := tiff.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			ifd := order.Uint32(data[4:8])
			got, ok := decodeBilevel(ra, order, ifd, b.Dx(), b.Dy())
			if !ok {
				t.Fatal("the fast path did not read the bi-level frame")
			}
			// A frame of another size than the limits were checked on is
			// never allocated by the fast path.
			if _, ok := decodeBilevel(ra, order, ifd, b.Dx()+1, b.Dy()); ok {
				t.Error("the fast path read a frame of another size than it was told")
			}
			want, ok := normalise(img).(*image.Paletted)
			if !ok {
				t.Fatalf("the decoder's frame normalises to a %T", normalise(img))
			}
			if got.Rect != want.Rect || !bytes.Equal(got.Pix, want.Pix) ||
				len(got.Palette) != len(want.Palette) {
				t.Errorf("the fast path's %v frame differs from the decoder's %v", got.Rect,
					want.Rect)
			}
		})
	}
}

func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v: %s", name, args, err, out)
	}
}

// BenchmarkDecodeG4 reads the shared sample's Group 4 page, a 300-dpi A4
// register page, by the fast path and as before it.
func BenchmarkDecodeG4(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "samples", "scans",
		"building-administration.tif"))
	if err != nil {
		b.Fatalf("the shared sample is missing: %v", err)
	}
	b.Run("fast path", func(b *testing.B) {
		for b.Loop() {
			if _, ok := decodeBilevel(bytes.NewReader(data), binary.LittleEndian,
				binary.LittleEndian.Uint32(data[4:8]), 2524, 3540); !ok {
				b.Fatal("not read")
			}
		}
	})
	b.Run("x/image/tiff, normalised", func(b *testing.B) {
		for b.Loop() {
			img, err := tiff.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			normalise(img)
		}
	})
}
