package archive

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
)

// normalise returns the page as a Gray, a two-colour Paletted (bi-level
// scans) or an RGBA image, the three forms rotate works on. Grey pages that
// hold only black and white become 1-bit PNGs, about 8 times smaller.
func normalise(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.Gray:
		return bilevel(m)
	case *image.Paletted, *image.RGBA:
		return m
	}

	m := img.ColorModel()
	if m == color.GrayModel || m == color.Gray16Model {
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
		return bilevel(g)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

var blackWhite = color.Palette{color.Gray{Y: 0}, color.Gray{Y: 0xff}}

// bilevel turns a grey image of pure black and white into a Paletted one.
func bilevel(g *image.Gray) image.Image {
	for _, y := range g.Pix {
		if y != 0 && y != 0xff {
			return g
		}
	}
	p := image.NewPaletted(g.Rect, blackWhite)
	for i, y := range g.Pix {
		p.Pix[i] = y & 1
	}
	p.Stride = g.Stride
	return p
}

// rotate turns a normalised image deg degrees clockwise (0, 90, 180, 270).
func rotate(img image.Image, deg int) (image.Image, error) {
	switch deg {
	case 0:
		return img, nil
	case 90, 180, 270:
	default:
		return nil, fmt.Errorf("archive: cannot rotate by %d degrees", deg)
	}

	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.Rect(0, 0, w, h)
	if deg == 90 || deg == 270 {
		out = image.Rect(0, 0, h, w)
	}

	var src, dst []byte
	var srcStride, dstStride, bpp int
	var res image.Image
	switch m := img.(type) {
	case *image.Gray:
		g := image.NewGray(out)
		src, srcStride, dst, dstStride, bpp, res = m.Pix, m.Stride, g.Pix, g.Stride, 1, g
	case *image.Paletted:
		p := image.NewPaletted(out, m.Palette)
		src, srcStride, dst, dstStride, bpp, res = m.Pix, m.Stride, p.Pix, p.Stride, 1, p
	case *image.RGBA:
		r := image.NewRGBA(out)
		src, srcStride, dst, dstStride, bpp, res = m.Pix, m.Stride, r.Pix, r.Stride, 4, r
	default:
		return nil, fmt.Errorf("archive: cannot rotate a %T", img)
	}

	// One loop per turn, and a byte at a time for the one-byte forms: a
	// quarter turn of a 300-dpi page is 9 million pixels, and a switch and
	// a copy call for each of them cost more than the move itself.
	for y := range h {
		row := src[y*srcStride:][:w*bpp]
		switch {
		case deg == 180 && bpp == 1:
			out := dst[(h-1-y)*dstStride:][:w]
			for x, v := range row {
				out[w-1-x] = v
			}
		case deg == 180:
			out := dst[(h-1-y)*dstStride:][:w*bpp]
			for x := range w {
				copy(out[(w-1-x)*bpp:][:bpp], row[x*bpp:][:bpp])
			}
		case bpp == 1: // a quarter turn: source row y becomes a column
			col, step := h-1-y, dstStride // 90: down the column h-1-y
			if deg == 270 {
				col, step = y+(w-1)*dstStride, -dstStride // up the column y
			}
			for x, v := range row {
				dst[col+x*step] = v
			}
		default:
			for x := range w {
				dx, dy := h-1-y, x
				if deg == 270 {
					dx, dy = y, w-1-x
				}
				copy(dst[dy*dstStride+dx*bpp:][:bpp], row[x*bpp:][:bpp])
			}
		}
	}
	return res, nil
}

// encodePNG encodes a page image for storage and for Tesseract.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("archive: encoding page PNG: %w", err)
	}
	return buf.Bytes(), nil
}
