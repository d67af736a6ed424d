package archive

import (
	"encoding/binary"
	"image"
	"io"

	"golang.org/x/image/ccitt"
)

// TIFF tags and values the bi-level fast path reads.
const (
	tagWidth           = 256
	tagHeight          = 257
	tagBitsPerSample   = 258
	tagCompression     = 259
	tagPhotometric     = 262
	tagFillOrder       = 266
	tagStripOffsets    = 273
	tagSamplesPerPixel = 277
	tagRowsPerStrip    = 278
	tagStripByteCounts = 279
	tagPlanarConfig    = 284
	tagPredictor       = 317
	tagT6Options       = 293
	tagTileWidth       = 322

	lowBits = 0x0101010101010101 // the low bit of each byte of a word

	compressionNone = 1
	compressionG4   = 4
	maxTagValues    = 1 << 16 // strips of one frame, far more than any scanner writes
)

// decodeBilevel decodes a bi-level frame, CCITT Group 4 or uncompressed,
// straight into the black-and-white image normalise makes of it.
// Group 4 is the fax-grade scan most registers are kept as, and
// uncompressed is how pdfimages writes the scan of a PDF page out for
// extractScan. golang.org/x/image/tiff reads such a frame bit by bit into
// grey, which normalise then scans and converts: for a Group 4 300-dpi A4
// page 65-70 ms against 14-16 (BenchmarkDecodeG4), for an uncompressed
// one about 50 against 2. The pixels are the same. It reports false for
// any other frame, or one it cannot read, which tiff.Decode then reads as
// before.
//
// width and height are the frame's size as the limits were checked on:
// a frame whose tags say otherwise (a tag given twice, say) is left to
// tiff.Decode rather than allocated at a size no limit saw.
func decodeBilevel(ra io.ReaderAt, order binary.ByteOrder, off uint32, width, height int) (
	*image.Paletted, bool) {
	tags, ok := readTags(ra, order, off)
	if !ok {
		return nil, false
	}
	one := func(tag uint16, def uint32) uint32 {
		if v := tags[tag]; len(v) > 0 {
			return v[0]
		}
		return def
	}
	w, h := int(one(tagWidth, 0)), int(one(tagHeight, 0))
	fill, compression, photometric := one(tagFillOrder, 1), one(tagCompression, 1),
		one(tagPhotometric, 0)
	if one(tagBitsPerSample, 1) != 1 || one(tagSamplesPerPixel, 1) != 1 ||
		one(tagPlanarConfig, 1) != 1 || len(tags[tagTileWidth]) > 0 ||
		one(tagPredictor, 1) != 1 ||
		photometric > 1 || // white or black is zero; not a palette
		w != width || h != height || w <= 0 || h <= 0 {
		return nil, false
	}
	rows := int(min(one(tagRowsPerStrip, uint32(h)), uint32(h)))
	offsets, counts := tags[tagStripOffsets], tags[tagStripByteCounts]
	if rows <= 0 || len(offsets) != (h+rows-1)/rows || len(counts) != len(offsets) {
		return nil, false
	}

	img := image.NewPaletted(image.Rect(0, 0, w, h), blackWhite)
	switch {
	case compression == compressionG4 && one(tagT6Options, 0) == 0 && (fill == 1 || fill == 2):
		ok = readG4Strips(img, ra, offsets, counts, rows, fill)
	case compression == compressionNone && fill == 1: // x/image/tiff ignores a fill order 2
		ok = readPlainStrips(img, ra, offsets, counts, rows, photometric)
	default:
		ok = false
	}
	if !ok {
		return nil, false
	}
	return img, true
}

// readG4Strips decodes Group 4 strips of rows rows into img: as grey into
// the image's own pixels, white 0xff and black 0, then made indexes into
// black and white.
func readG4Strips(img *image.Paletted, ra io.ReaderAt, offsets, counts []uint32, rows int,
	fill uint32) bool {
	bitOrder := ccitt.MSB
	if fill == 2 {
		bitOrder = ccitt.LSB
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	grey := &image.Gray{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
	for i := range offsets {
		strip := grey.SubImage(image.Rect(0, i*rows, w, min((i+1)*rows, h))).(*image.Gray)
		data := io.NewSectionReader(ra, int64(offsets[i]), int64(counts[i]))
		if ccitt.DecodeIntoGray(strip, data, bitOrder, ccitt.Group4, nil) != nil {
			return false
		}
	}
	// Eight pixels at a time, as the bytes of a word: 0xff and 0 keep
	// their low bit alone.
	pix := img.Pix
	i := 0
	for ; i+8 <= len(pix); i += 8 {
		binary.LittleEndian.PutUint64(pix[i:], binary.LittleEndian.Uint64(pix[i:])&lowBits)
	}
	for ; i < len(pix); i++ {
		pix[i] &= 1
	}
	return true
}

// readPlainStrips unpacks uncompressed strips of rows rows into img, a
// row being a whole number of bytes, the first pixel in the high bit.
func readPlainStrips(img *image.Paletted, ra io.ReaderAt, offsets, counts []uint32, rows int,
	photometric uint32) bool {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	stride := (w + 7) / 8
	unpack := &bitsToWhite[photometric]
	for i := range offsets {
		n := min(rows, h-i*rows)
		if int64(counts[i]) < int64(n*stride) {
			return false // a short strip: tiff.Decode says how
		}
		packed := make([]byte, n*stride)
		if _, err := ra.ReadAt(packed, int64(offsets[i])); err != nil {
			return false
		}
		for r := range n {
			line := img.Pix[(i*rows+r)*img.Stride:][:w]
			in := packed[r*stride:][:stride]
			full := w / 8
			for j, b := range in[:full] {
				copy(line[8*j:8*j+8], unpack[b][:])
			}
			if tail := w - 8*full; tail > 0 {
				copy(line[8*full:], unpack[in[full]][:tail])
			}
		}
	}
	return true
}

// bitsToWhite unpacks a byte of eight bi-level pixels, the first in the
// high bit, into indexes into blackWhite: by photometric, a 0 bit is white
// (0) or black (1).
var bitsToWhite = func() (t [2][256][8]byte) {
	for b := range 256 {
		for i := range 8 {
			bit := byte(b>>(7-i)) & 1
			t[0][b][i] = 1 - bit // white is zero: 1 is ink
			t[1][b][i] = bit     // black is zero
		}
	}
	return t
}()

// bilevelTags are the tags readTags reads: a hostile frame may carry thousands
// of others, each with tens of thousands of values.
var bilevelTags = map[uint16]bool{tagWidth: true, tagHeight: true, tagBitsPerSample: true,
	tagCompression: true, tagPhotometric: true, tagFillOrder: true, tagStripOffsets: true,
	tagSamplesPerPixel: true, tagRowsPerStrip: true, tagStripByteCounts: true,
	tagPlanarConfig: true, tagPredictor: true, tagT6Options: true, tagTileWidth: true}

// readTags reads the SHORT and LONG values of the bilevelTags of the IFD at off.
func readTags(ra io.ReaderAt, order binary.ByteOrder, off uint32) (map[uint16][]uint32, bool) {
	var n [2]byte
	if _, err := ra.ReadAt(n[:], int64(off)); err != nil {
		return nil, false
	}
	entries := make([]byte, 12*int(order.Uint16(n[:])))
	if _, err := ra.ReadAt(entries, int64(off)+2); err != nil {
		return nil, false
	}

	tags := map[uint16][]uint32{}
	for e := entries; len(e) >= 12; e = e[12:] {
		tag := order.Uint16(e)
		if !bilevelTags[tag] {
			continue
		}
		// A tag of a type or a count this path does not read is left, with
		// its frame, to tiff.Decode: taken for absent, its default could
		// be wrong (a photometric given as a BYTE, a compression other
		// than none).
		const typeByte, typeShort, typeLong = 1, 3, 4
		size := map[uint16]int{typeByte: 1, typeShort: 2, typeLong: 4}[order.Uint16(e[2:])]
		count := int(order.Uint32(e[4:]))
		if size == 0 || count <= 0 || count > maxTagValues ||
			count > 1 && tag != tagStripOffsets && tag != tagStripByteCounts {
			return nil, false
		}
		raw := e[8:12]
		if size*count > 4 {
			raw = make([]byte, size*count)
			if _, err := ra.ReadAt(raw, int64(order.Uint32(e[8:]))); err != nil {
				return nil, false
			}
		}
		values := make([]uint32, count)
		for i := range values {
			switch size {
			case 1:
				values[i] = uint32(raw[i])
			case 2:
				values[i] = uint32(order.Uint16(raw[2*i:]))
			default:
				values[i] = order.Uint32(raw[4*i:])
			}
		}
		if _, twice := tags[tag]; twice {
			return nil, false
		}
		tags[tag] = values
	}
	return tags, true
}
