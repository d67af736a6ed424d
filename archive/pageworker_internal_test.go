package archive

import (
	"bufio"
	"bytes"
	"image"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPBMIsThePage: a black-and-white page is handed to Tesseract as a
// PBM, which must hold its pixels, as ImageMagick reads them back, at a
// width of whole bytes and at one with bits left over.
func TestPBMIsThePage(t *testing.T) {
	if _, err := exec.LookPath("convert"); err != nil {
		t.Fatalf("convert is missing: run make deps (%v)", err)
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	dir := t.TempDir()
	for _, size := range []image.Rectangle{image.Rect(0, 0, 64, 9), image.Rect(0, 0, 1699, 31),
		image.Rect(0, 0, 3, 2)} {
		page := image.NewPaletted(size, blackWhite)
		for i := range page.Pix {
			page.Pix[i] = uint8(rnd.IntN(2))
		}
		path := filepath.Join(dir, "page"+ocrExt(page))
		if filepath.Ext(path) != ".pbm" {
			t.Fatalf("a black-and-white page is written as %s", filepath.Ext(path))
		}
		if err := writeForOCR(page, path); err != nil {
			t.Fatal(err)
		}

		out, err := exec.Command("convert", path, "-depth", "8", "pgm:-").Output()
		if err != nil {
			t.Fatalf("ImageMagick cannot read the PBM: %v", err)
		}
		grey, err := decodePGM(bufio.NewReader(bytes.NewReader(out)))
		if err != nil {
			t.Fatal(err)
		}
		if grey.Rect != size {
			t.Fatalf("the PBM of a %v page reads back as %v", size, grey.Rect)
		}
		for i, v := range page.Pix {
			if grey.Pix[i] != 255*v {
				t.Fatalf("%v: pixel (%d, %d) reads back %d, not %d", size, i%size.Dx(),
					i/size.Dx(), grey.Pix[i], 255*v)
			}
		}
	}
}
