package archive

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDeskewFastPathsMatchTheGeneralCase: a page ingested before a fast
// path was added must give the same image again when its page image is
// made at its first look, so every interior point of a grey and a colour
// page must come out of the fast paths as the general case makes it.
func TestDeskewFastPathsMatchTheGeneralCase(t *testing.T) {
	r := image.Rect(0, 0, 301, 203)
	grey, colour := image.NewGray(r), image.NewRGBA(r)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(rnd.IntN(256))
	}
	for i := range colour.Pix {
		colour.Pix[i] = uint8(rnd.IntN(256))
	}

	for _, deg := range []float64{-4.87, -0.31, 1.3, 3.77} {
		for _, c := range []struct {
			img    image.Image
			pix    []byte
			stride int
			bpp    int
			bg     []byte
		}{
			{grey, grey.Pix, grey.Stride, 1, []byte{0xff}},
			{colour, colour.Pix, colour.Stride, 4, []byte{0xff, 0xff, 0xff, 0xff}},
		} {
			got, err := deskew(c.img, deg)
			if err != nil {
				t.Fatal(err)
			}
			want := generalDeskew(c.pix, c.stride, c.bpp, r.Dx(), r.Dy(), deg, c.bg)
			var gotPix []byte
			switch m := got.(type) {
			case *image.Gray:
				gotPix = m.Pix
			case *image.RGBA:
				gotPix = m.Pix
			}
			for i := range want {
				if gotPix[i] != want[i] {
					t.Fatalf("%d bytes a pixel, %.2f°: byte %d is %d, the general case "+
						"makes %d", c.bpp, deg, i, gotPix[i], want[i])
				}
			}
		}
	}
}

// generalDeskew turns a page as deskew does, every point by bilinear.
func generalDeskew(src []byte, stride, bpp, w, h int, deg float64, bg []byte) []byte {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	out := make([]byte, w*h*bpp)
	for y := range h {
		dy := float64(y) - cy
		rowX, rowY := float64(dy*sin), float64(dy*cos)
		for x := range w {
			dx := float64(x) - cx
			sx := cx + float64(dx*cos) - rowX
			sy := cy + float64(dx*sin) + rowY
			bilinear(out[(y*w+x)*bpp:][:bpp], src, stride, bpp, w, h, sx, sy, bg)
		}
	}
	return out
}

// BenchmarkDeskew levels pages as ingest does before OCR, and as the first
// look does again: an A4 page at 300 dpi in grey and in black and white,
// and a 12-megapixel phone photo in colour.
func BenchmarkDeskew(b *testing.B) {
	a4 := image.Rect(0, 0, 2480, 3508)
	grey, bw := image.NewGray(a4), image.NewPaletted(a4, blackWhite)
	colour := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i * 7)
		bw.Pix[i] = uint8(i/9) & 1
	}
	for i := range colour.Pix {
		colour.Pix[i] = uint8(i * 7)
	}
	for _, c := range []struct {
		name string
		img  image.Image
	}{{"grey", grey}, {"bilevel", bw}, {"colour", colour}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := deskew(c.img, 1.7); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
