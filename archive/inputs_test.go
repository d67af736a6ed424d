package archive_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// pageLines is the English text drawn on generated pages. Long enough for
// Tesseract's orientation detection, which needs a few dozen characters.
var pageLines = []string{
	"MUNICIPAL ARCHIVE OF THE CITY",
	"Building register, parcel 1207, plot 33",
	"The ground floor was used as a bakery",
	"and the first floor as a family home.",
	"This record was scanned for testing.",
}

// textPage draws lines of text in black on a white page about the size of
// an A5 sheet at 300 dpi, so that a test needs no shared samples.
func textPage(t *testing.T, lines []string) *image.Gray {
	t.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 40, DPI: 72})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()

	img := image.NewGray(image.Rect(0, 0, 1240, 900))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.Black, Face: face}
	for i, line := range lines {
		d.Dot = fixed.P(80, 150+i*70)
		d.DrawString(line)
	}
	return img
}

// upsideDown returns img turned 180 degrees.
func upsideDown(img *image.Gray) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(b)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.SetGray(b.Dx()-1-x, b.Dy()-1-y, img.GrayAt(x, y))
		}
	}
	return out
}

// quarterTurn returns img turned 90 degrees clockwise, as a page fed
// sideways into a scanner comes out.
func quarterTurn(img *image.Gray) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.SetGray(b.Dy()-1-y, x, img.GrayAt(x, y))
		}
	}
	return out
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multiTIFF writes uncompressed 8-bit grey frames as one little-endian
// TIFF, each frame's IFD pointing at the next, as a scanner's multi-page
// file does.
func multiTIFF(frames ...*image.Gray) []byte {
	le := binary.LittleEndian
	out := []byte("II*\x00\x00\x00\x00\x00")
	next := 4 // where the offset of the next IFD is to be written
	for _, f := range frames {
		w, h := f.Bounds().Dx(), f.Bounds().Dy()
		dataAt := len(out)
		out = append(out, f.Pix...)
		if len(out)%2 == 1 {
			out = append(out, 0)
		}
		le.PutUint32(out[next:], uint32(len(out)))

		tags := [][3]uint32{ // tag, type (3 SHORT, 4 LONG), value
			{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 8}, {259, 3, 1},
			{262, 3, 1}, {273, 4, uint32(dataAt)}, {277, 3, 1}, {278, 4, uint32(h)},
			{279, 4, uint32(len(f.Pix))},
		}
		out = le.AppendUint16(out, uint16(len(tags)))
		for _, tg := range tags {
			out = le.AppendUint16(out, uint16(tg[0]))
			out = le.AppendUint16(out, uint16(tg[1]))
			out = le.AppendUint32(out, 1)
			if tg[1] == 3 {
				out = le.AppendUint16(out, uint16(tg[2]))
				out = le.AppendUint16(out, 0)
			} else {
				out = le.AppendUint32(out, tg[2])
			}
		}
		next = len(out)
		out = le.AppendUint32(out, 0)
	}
	return out
}

// textPDF writes a one-page PDF with the lines in Helvetica, with a
// correct cross-reference table.
func textPDF(lines []string) []byte { return sizedTextPDF(lines, 420, 842, 14) }

// sizedTextPDF is textPDF on a page of w × h points, in type of the size.
func sizedTextPDF(lines []string, w, h, size int) []byte {
	var content bytes.Buffer
	fmt.Fprintf(&content, "BT /F1 %d Tf 50 %d Td %d TL\n", size, h-62, size*10/7)
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET\n")

	return pdfOf(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "+
			"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>", w, h),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()))
}

// scanPDF is a one-page PDF as a scanner writes it: the page is a single
// black-and-white image filling it, at dpi.
func scanPDF(img image.Image, dpi int) []byte {
	b := img.Bounds()
	stride := (b.Dx() + 7) / 8
	bits := make([]byte, stride*b.Dy())
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if (r+g+bl)/3 >= 0x8000 { // 1 is white in DeviceGray
				bits[y*stride+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	w, h := b.Dx()*72/dpi, b.Dy()*72/dpi
	content := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im1 Do Q\n", w, h)
	return pdfOf(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "+
			"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>", w, h),
		fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d "+
			"/ColorSpace /DeviceGray /BitsPerComponent 1 /Length %d >>\nstream\n%s\nendstream",
			b.Dx(), b.Dy(), len(bits), bits),
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content))
}

// pdfOf writes a PDF of the objects, numbered from 1, the first the
// catalog.
func pdfOf(objs ...string) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n",
		len(objs)+1, xref)
	return out.Bytes()
}

// pngHeader is a PNG that claims to be w × h pixels and holds no pixels,
// to check that size limits act before decoding.
func pngHeader(w, h uint32) []byte { return pngHeaderDepth(w, h, 8, 0) }

// pngHeaderDepth is pngHeader with a bit depth and PNG colour type (0 grey,
// 6 RGBA).
func pngHeaderDepth(w, h uint32, depth, colorType byte) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	writeChunk(&buf, "IHDR", ihdr)
	writeChunk(&buf, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	writeChunk(&buf, "IEND", nil)
	return buf.Bytes()
}

func writeChunk(buf *bytes.Buffer, typ string, data []byte) {
	buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	buf.WriteString(typ)
	buf.Write(data)
	buf.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
}
