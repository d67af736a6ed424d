package archive

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
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

// TestDeskewRunsMatchPixelByPixel: a bi-level page is levelled in runs of
// pixels copied at once (nearestRow), and must come out as it did pixel by
// pixel, at every angle the skew search can give, at the limit below which
// runs are not used, on odd and even sizes, on pages wider than tall.
func TestDeskewRunsMatchPixelByPixel(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	angles := []float64{-5.25, -5, -1.7, -0.3, 0.3, 0.7, 1.1, 2.55, 5, 5.25, 0.081, -0.081}
	for range 20 {
		angles = append(angles, math.Round((rnd.Float64()*10.5-5.25)*100)/100)
	}
	for _, size := range []image.Rectangle{
		image.Rect(0, 0, 2524, 3540), image.Rect(0, 0, 1, 1), image.Rect(0, 0, 2, 3),
		image.Rect(0, 0, 17, 4000), image.Rect(0, 0, 3001, 211), image.Rect(0, 0, 640, 641),
	} {
		page := image.NewPaletted(size, blackWhite)
		for i := range page.Pix {
			page.Pix[i] = uint8(rnd.IntN(2))
		}
		for _, deg := range angles {
			got, err := deskew(page, deg)
			if err != nil {
				t.Fatal(err)
			}
			want := pixelByPixelNearest(page.Pix, page.Stride, size.Dx(), size.Dy(), deg, 1)
			gotPix := got.(*image.Paletted).Pix
			for i := range want {
				if gotPix[i] != want[i] {
					t.Fatalf("%v at %.3f°: pixel (%d, %d) is %d, pixel by pixel %d", size, deg,
						i%size.Dx(), i/size.Dx(), gotPix[i], want[i])
				}
			}
		}
	}
}

// TestDeskewIntoDirtyPixels: pages are levelled into pixels a page before
// left behind (see writeCorrected), every one of which must be written
// again, corners included, in each form of page.
func TestDeskewIntoDirtyPixels(t *testing.T) {
	r := image.Rect(0, 0, 333, 251)
	pages := []image.Image{image.NewGray(r), image.NewRGBA(r), image.NewPaletted(r, blackWhite)}
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, page := range pages {
		pix := pixelsOf(page)
		for i := range pix {
			pix[i] = uint8(rnd.IntN(2)) * 255
		}
		if p, ok := page.(*image.Paletted); ok {
			for i := range p.Pix {
				p.Pix[i] &= 1
			}
		}
		dirty := make([]byte, len(pix)+7)
		for i := range dirty {
			dirty[i] = 0x5a
		}

		want, err := deskew(page, -2.3)
		if err != nil {
			t.Fatal(err)
		}
		got, err := deskewInto(page, -2.3, dirty)
		if err != nil {
			t.Fatal(err)
		}
		if &pixelsOf(got)[0] != &dirty[0] {
			t.Errorf("%T: not levelled into the pixels given", page)
		}
		if !slices.Equal(pixelsOf(got), pixelsOf(want)) || got.Bounds() != want.Bounds() {
			t.Errorf("%T: levelled into dirty pixels, the page differs", page)
		}
	}
}

// TestLevelBitsIsTheLevelledPage: Tesseract is given a black-and-white
// page levelled a bit a pixel (levelBits), which must be the page image
// deskew makes, packed, bit for bit: at angles for runs and one too slight
// for them, at widths of whole bytes and not, levelled into dirty bytes.
func TestLevelBitsIsTheLevelledPage(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 14))
	for _, size := range []image.Rectangle{image.Rect(0, 0, 2524, 3540),
		image.Rect(0, 0, 1, 1), image.Rect(0, 0, 9, 3), image.Rect(0, 0, 64, 64),
		image.Rect(0, 0, 1699, 211), image.Rect(0, 0, 13, 900)} {
		page := image.NewPaletted(size, blackWhite)
		for i := range page.Pix {
			if rnd.IntN(4) > 0 && i > 0 {
				page.Pix[i] = page.Pix[i-1]
			} else {
				page.Pix[i] = uint8(rnd.IntN(2))
			}
		}
		packed := packPage(page, nil)
		dirty := make([]byte, len(packed.bits)+3)
		for _, deg := range []float64{-5.25, -1.7, 0.3, 0.7, 3.14, 5.25, 0.05} {
			for i := range dirty {
				dirty[i] = byte(rnd.IntN(256))
			}
			levelledPage, err := deskew(page, deg)
			if err != nil {
				t.Fatal(err)
			}
			want := packPage(levelledPage.(*image.Paletted), nil)
			got := levelBits(packed, deg, dirty)
			for y := range size.Dy() {
				g := got.bits[y*got.stride:][:got.rowBytes()]
				w := want.bits[y*want.stride:][:want.rowBytes()]
				if !slices.Equal(g, w) {
					t.Fatalf("%v at %.2f°: row %d differs from the levelled page image", size,
						deg, y)
				}
			}
		}
	}
}

// TestBitPageIsTheImage: a page packed a bit a pixel holds its image's
// pixels, black as 1, with nothing set past a row's last pixel.
func TestBitPageIsTheImage(t *testing.T) {
	r := image.Rect(0, 0, 21, 5)
	page := image.NewPaletted(r, blackWhite)
	for i := range page.Pix {
		page.Pix[i] = uint8(i % 3 % 2)
	}
	p := packPage(page, nil)
	for y := range r.Dy() {
		for x := range p.stride * 8 {
			black := p.bits[y*p.stride+x/8]&(0x80>>(x%8)) != 0
			want := x < r.Dx() && page.Pix[y*page.Stride+x] == 0
			if black != want {
				t.Fatalf("pixel (%d, %d) packed black: %v, want %v", x, y, black, want)
			}
		}
	}
}

// pixelByPixelNearest turns a page as deskew did a bi-level one before
// runs: every point on its own.
func pixelByPixelNearest(src []byte, stride, w, h int, deg float64, bg byte) []byte {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	out := make([]byte, w*h)
	for y := range h {
		dy := float64(y) - cy
		rowX, rowY := float64(dy*sin), float64(dy*cos)
		for x := range w {
			dx := float64(x) - cx
			sx := cx + float64(dx*cos) - rowX
			sy := cy + float64(dx*sin) + rowY
			out[y*w+x] = nearestPixel(src, stride, w, h, sx, sy, bg)
		}
	}
	return out
}

// TestBilevelInkCellsMatchGrey: the skew of a black-and-white page is
// searched on the ink its packed bits show, which must be the cells the
// general case finds on the same page in grey, so that a page keeps the
// skew it was levelled by: at cells counted by table (2, 3, 4 and 6
// pixels across) and one by one (1, 5, 7 and 13), at widths no whole
// number of bytes or chunks.
func TestBilevelInkCellsMatchGrey(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, size := range []image.Rectangle{image.Rect(0, 0, 999, 50),
		image.Rect(0, 0, 1001, 40), image.Rect(0, 0, 2524, 90), image.Rect(0, 0, 2480, 37),
		image.Rect(0, 0, 3307, 41), image.Rect(0, 0, 4960, 30), image.Rect(0, 0, 5999, 25),
		image.Rect(0, 0, 6001, 29), image.Rect(0, 0, 12007, 60)} {
		page, grey := image.NewPaletted(size, blackWhite), image.NewGray(size)
		for i := range page.Pix {
			// Blots rather than noise, so that cells come out either way.
			if rnd.IntN(3) > 0 && i%size.Dx() > 0 {
				page.Pix[i] = page.Pix[i-1]
			} else {
				page.Pix[i] = uint8(rnd.IntN(2))
			}
			grey.Pix[i] = 255 * page.Pix[i]
		}
		f, gotCols, gotRows := skewCells(size.Dx(), size.Dy())
		got := packPage(page, nil).inkCells(f, gotCols, gotRows)
		want, wantCols, wantRows := inkCells(grey)
		if len(want) == 0 || len(want) == wantCols*wantRows {
			t.Fatalf("%v: the page is all one way, %d dark cells", size, len(want))
		}
		if gotCols != wantCols || gotRows != wantRows || !slices.Equal(got, want) {
			t.Errorf("%v: %d × %d cells, %d dark; in grey %d × %d, %d dark", size, gotCols,
				gotRows, len(got), wantCols, wantRows, len(want))
		}
	}
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
