package render

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"image/color"
	"image/png"

	"github.com/sijil-municipality/sijil"
)

// pngImage is a page image ready to be written as an image XObject: its
// dictionary entries other than Length and Filter, and its samples, either
// the PNG's own compressed data (flate set) or raw samples to compress.
type pngImage struct {
	width, height int
	dict          string
	data          []byte
	flate         bool
}

// maxImagePixels bounds a page image: an A4 page at 600 dpi is 35 Mpx.
const maxImagePixels = 80 << 20

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// parsePNG prepares a PNG for embedding. A PNG without alpha, interlacing
// or 16-bit samples, which is what the archive stores (1-bit, grey or
// colour pages), is embedded as it is: PDF's Flate filter reads PNG's
// compressed rows with its predictors, so nothing is decoded or
// recompressed and a 1-bit page stays 1-bit. Any other PNG is decoded and
// its pixels written flat on white.
func parsePNG(data []byte) (*pngImage, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, badImage("not a PNG file")
	}
	var (
		ihdr    []byte
		palette []byte
		idat    bytes.Buffer
	)
	for rest := data[len(pngSignature):]; ; {
		if len(rest) < 12 {
			return nil, badImage("truncated")
		}
		n := binary.BigEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-12) {
			return nil, badImage("truncated")
		}
		typ, body := string(rest[4:8]), rest[8:8+n]
		if crc32.ChecksumIEEE(rest[4:8+n]) != binary.BigEndian.Uint32(rest[8+n:]) {
			return nil, badImage("damaged " + typ + " chunk")
		}
		rest = rest[12+n:]
		switch typ {
		case "IHDR":
			ihdr = body
		case "PLTE":
			palette = body
		case "IDAT":
			idat.Write(body)
		}
		if typ == "IEND" {
			break
		}
	}
	if len(ihdr) != 13 {
		return nil, badImage("no header")
	}

	w, h := binary.BigEndian.Uint32(ihdr), binary.BigEndian.Uint32(ihdr[4:])
	if w == 0 || h == 0 || uint64(w)*uint64(h) > maxImagePixels {
		return nil, sijil.Errorf(sijil.TooLarge, "render.image_size",
			"render: a page image of %d×%d pixels", w, h)
	}
	depth, colour, interlace := int(ihdr[8]), ihdr[9], ihdr[12]
	space := ""
	colours := 1
	switch {
	case colour == 0 && depth <= 8:
		space = "/DeviceGray"
	case colour == 2 && depth == 8:
		space, colours = "/DeviceRGB", 3
	case colour == 3 && len(palette) >= 3 && len(palette)%3 == 0:
		space = fmt.Sprintf("[/Indexed /DeviceRGB %d <%s>]", len(palette)/3-1,
			hex.EncodeToString(palette))
	}
	if space == "" || interlace != 0 || ihdr[10] != 0 || ihdr[11] != 0 {
		return decodePNG(data)
	}
	return &pngImage{width: int(w), height: int(h), flate: true, data: idat.Bytes(),
		dict: fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d "+
			"/ColorSpace %s /BitsPerComponent %d /Filter /FlateDecode "+
			"/DecodeParms <</Predictor 15 /Colors %d /BitsPerComponent %d /Columns %d>>",
			w, h, space, depth, colours, depth, w)}, nil
}

// decodePNG decodes a PNG the PDF cannot take as it is, and keeps its
// pixels as 8-bit grey or RGB, alpha flattened on white paper.
func decodePNG(data []byte) (*pngImage, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, badImage(err.Error())
	}
	b := img.Bounds()
	grey := img.ColorModel() == color.GrayModel || img.ColorModel() == color.Gray16Model
	space, colours := "/DeviceRGB", 3
	if grey {
		space, colours = "/DeviceGray", 1
	}
	px := make([]byte, 0, b.Dx()*b.Dy()*colours)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px = appendOnWhite(px, img.At(x, y), grey)
		}
	}
	return &pngImage{width: b.Dx(), height: b.Dy(), data: px,
		dict: fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d "+
			"/ColorSpace %s /BitsPerComponent 8", b.Dx(), b.Dy(), space)}, nil
}

// appendOnWhite appends the colour c, composed over white, as one grey or
// three RGB samples.
func appendOnWhite(px []byte, c color.Color, grey bool) []byte {
	r, g, b, a := c.RGBA()
	paper := 0xffff - a
	r, g, b = (r+paper)>>8, (g+paper)>>8, (b+paper)>>8
	if grey {
		return append(px, byte((19595*r+38470*g+7471*b+1<<15)>>16))
	}
	return append(px, byte(r), byte(g), byte(b))
}

func badImage(why string) error {
	return sijil.Errorf(sijil.Invalid, "render.bad_image",
		"render: the page image cannot be read: %s", why)
}

// image writes img as an image XObject and returns its object number.
func (f *pdfFile) image(img *pngImage) (int, error) {
	if img.flate {
		return f.rawStream(" "+img.dict, img.data), nil
	}
	return f.stream(img.dict, img.data)
}
