package archive_test

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

func TestDecodePagesOfSamples(t *testing.T) {
	dir := samplesDir(t)
	if dir == "" {
		t.Log("no shared samples; the generated inputs of TestIngest cover the splitter")
		return
	}
	tests := []struct {
		file  string
		pages int
	}{
		{"building-administration.tif", 1},
		{"building-administration-2pages.tif", 2},
		{"building-administration-scan.pdf", 1},
		{"building-administration-photo.jpg", 1},
		{"latin/8087_054.3B.tif", 1},
		{"latin/eurotext.tif", 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			imgs, err := archive.DecodePages(context.Background(),
				filepath.Join(dir, "scans", tt.file), archive.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(imgs) != tt.pages {
				t.Fatalf("got %d pages, want %d", len(imgs), tt.pages)
			}
			for i, img := range imgs {
				t.Logf("page %d: %T %v", i+1, img, img.Bounds())
			}
		})
	}
}

// TestTIFFsScannersWrite: TIFFs that office scanners and fax software
// write but Go's TIFF decoder does not read (CCITT G3, JPEG-compressed,
// CMYK, planar) are read through libvips, not refused as damaged; one
// with an alpha channel is read as if on white paper.
func TestTIFFsScannersWrite(t *testing.T) {
	in := filepath.Join(t.TempDir(), "page.png")
	if err := os.WriteFile(in, encodePNG(t, textPage(t, pageLines)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"CCITT G3", []string{"-monochrome", "-compress", "fax"}},
		{"JPEG-compressed", []string{"-compress", "JPEG"}},
		{"CMYK", []string{"-colorspace", "CMYK", "-compress", "none"}},
		{"planar RGB", []string{"-type", "TrueColor", "-interlace", "plane", "-compress",
			"none"}},
		// Read as grey over white: transparent is not black.
		{"RGB, white made transparent", []string{"-type", "TrueColorAlpha", "-transparent",
			"white", "-compress", "LZW"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "eng")
			got := f.mustIngest(t, convertTo(t, in, ".tif", tt.args...), "page.tif")
			if len(got.pages) != 1 || !strings.Contains(got.pages[0].Text, "bakery") {
				t.Errorf("pages %+v; want one that reads \"bakery\"", got.pages)
			}
		})
	}
}

// TestScannedPDFPageIsItsImage: a PDF page that is one scanned image is
// read as that image, extracted, not drawn again by pdftoppm: the scan's
// own black-and-white pixels are what OCR reads and the archive keeps.
func TestScannedPDFPageIsItsImage(t *testing.T) {
	pdf := scanPDF(textPage(t, pageLines), 300)
	f := newFixture(t, "eng")

	got := f.mustIngest(t, pdf, "scan.pdf")

	if len(got.pages) != 1 || !strings.Contains(got.pages[0].Text, "bakery") {
		t.Fatalf("pages %+v; want one that reads \"bakery\"", got.pages)
	}
	rc, _, err := f.in.PageImage(context.Background(), got.rec.SHA256, 1, archive.ImagePage)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	img, err := png.Decode(rc)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.Paletted); !ok {
		t.Errorf("the stored page is a %T, not the scan's black and white: it was redrawn", img)
	}
}
