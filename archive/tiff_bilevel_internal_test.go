package archive

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"math/rand/v2"
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

// TestBilevelFastPathReadsTagsAsTheDecoderDoes: the fast path reads a
// frame only as golang.org/x/image/tiff reads it, or leaves it to that
// decoder, whatever type each tag is given in: a photometric given as a
// BYTE, a compression given as a BYTE (Deflate, which the fast path does
// not decode), a predictor, a tag given with two values.
func TestBilevelFastPathReadsTagsAsTheDecoderDoes(t *testing.T) {
	const w, h = 40, 6
	rnd := rand.New(rand.NewPCG(11, 12))
	packed := make([]byte, (w+7)/8*h)
	for i := range packed {
		packed[i] = byte(rnd.IntN(256))
	}
	var deflated bytes.Buffer
	zw := zlib.NewWriter(&deflated)
	zw.Write(packed)
	zw.Close()

	const typeByte, typeShort, typeLong = 1, 3, 4
	for _, tt := range []struct {
		name  string
		strip []byte
		tags  []tiffTag
		fast  bool // read by the fast path, rather than left to the decoder
	}{
		{"photometric as a BYTE", packed, []tiffTag{{262, typeByte, []uint32{1}}}, true},
		{"compression as a BYTE, Deflate", deflated.Bytes(), []tiffTag{{259, typeByte,
			[]uint32{8}}, {262, typeShort, []uint32{0}}}, false},
		{"horizontal predictor", packed, []tiffTag{{262, typeShort, []uint32{0}},
			{317, typeShort, []uint32{2}}}, false},
		{"bits per sample given twice", packed, []tiffTag{{258, typeShort, []uint32{1, 1}},
			{262, typeShort, []uint32{1}}}, false},
		{"plain, in LONGs", packed, []tiffTag{{259, typeLong, []uint32{1}},
			{262, typeLong, []uint32{1}}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := writeTIFF(w, h, tt.strip, tt.tags)
			got, ok := decodeBilevel(bytes.NewReader(data), binary.LittleEndian, 8, w, h)
			img, err := tiff.Decode(bytes.NewReader(data))
			if ok != tt.fast {
				t.Errorf("read by the fast path: %v, want %v", ok, tt.fast)
			}
			if !ok {
				return // left to the decoder, which reads it or says why not
			}
			if err != nil {
				t.Fatalf("the fast path read a frame the decoder refuses (%v)", err)
			}
			want, _ := normalise(img).(*image.Paletted)
			if want == nil || !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("the fast path's pixels differ from the decoder's")
			}
		})
	}
}

// tiffTag is one entry of a hand-made image file directory.
type tiffTag struct {
	tag, typ uint16
	values   []uint32
}

// writeTIFF makes a little-endian one-strip TIFF of a w × h bi-level frame
// whose strip is given, with its size and strip tags, and the extra tags.
func writeTIFF(w, h int, strip []byte, extra []tiffTag) []byte {
	tags := []tiffTag{{256, 4, []uint32{uint32(w)}}, {257, 4, []uint32{uint32(h)}},
		{273, 4, []uint32{0}}, {278, 4, []uint32{uint32(h)}},
		{279, 4, []uint32{uint32(len(strip))}}}
	tags = append(tags, extra...)
	slices.SortFunc(tags, func(a, b tiffTag) int { return int(a.tag) - int(b.tag) })
	if !slices.ContainsFunc(extra, func(t tiffTag) bool { return t.tag == 258 }) {
		tags = append(tags, tiffTag{258, 3, []uint32{1}})
		slices.SortFunc(tags, func(a, b tiffTag) int { return int(a.tag) - int(b.tag) })
	}

	le := binary.LittleEndian
	ifdSize := 2 + 12*len(tags) + 4
	out := le.AppendUint32([]byte("II*\x00"), 8)
	values := []byte{} // after the directory
	dir := le.AppendUint16(nil, uint16(len(tags)))
	for _, tg := range tags {
		size := map[uint16]int{1: 1, 3: 2, 4: 4}[tg.typ]
		var raw []byte
		for _, v := range tg.values {
			switch size {
			case 1:
				raw = append(raw, byte(v))
			case 2:
				raw = le.AppendUint16(raw, uint16(v))
			default:
				raw = le.AppendUint32(raw, v)
			}
		}
		dir = le.AppendUint16(dir, tg.tag)
		dir = le.AppendUint16(dir, tg.typ)
		dir = le.AppendUint32(dir, uint32(len(tg.values)))
		if len(raw) <= 4 {
			dir = append(dir, append(raw, make([]byte, 4-len(raw))...)...)
		} else {
			dir = le.AppendUint32(dir, uint32(8+ifdSize+len(values)))
			values = append(values, raw...)
		}
	}
	dir = le.AppendUint32(dir, 0)
	out = append(append(out, dir...), values...)
	stripAt := uint32(len(out))
	out = append(out, strip...)

	// The strip offset, now that it is known: the entry of tag 273.
	for i, tg := range tags {
		if tg.tag == 273 {
			le.PutUint32(out[8+2+12*i+8:], stripAt)
		}
	}
	return out
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
