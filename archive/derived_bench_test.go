package archive_test

import (
	"image"
	"image/color"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

// BenchmarkDeriveScaled makes the viewer's copy and the thumbnail of an
// A4 page scanned at 300 dpi (2480 × 3508), in grey and in colour, as
// the first look at a page does. Its time and allocations are what scaling
// adds to that look.
func BenchmarkDeriveScaled(b *testing.B) {
	r := image.Rect(0, 0, 2480, 3508)
	grey, colour := image.NewGray(r), image.NewRGBA(r)
	for y := range r.Dy() {
		for x := range r.Dx() {
			// Dark strokes on a light, slightly uneven page, like a scan.
			v := uint8(230 - (x*7+y*13)%40)
			if (y/40)%2 == 0 && (x/9)%3 == 0 {
				v = 30
			}
			grey.SetGray(x, y, color.Gray{Y: v})
			colour.SetRGBA(x, y, color.RGBA{R: v, G: v - v/8, B: v - v/5, A: 0xff})
		}
	}

	for _, c := range []struct {
		name string
		img  image.Image
	}{{"grey", grey}, {"colour", colour}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := archive.DeriveScaled(c.img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
