package render

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sort"
)

var errBadFont = errors.New("malformed TrueType font")

// sfnt is the raw table directory of a TrueType font, enough to write a
// glyph-id-preserving subset for embedding.
type sfnt struct {
	tables      map[string][]byte
	upem        float64
	bbox        [4]int16 // xMin, yMin, xMax, yMax in font units
	ascent      int16
	descent     int16
	numGlyphs   int
	numHMetrics int
	loca        []uint32 // numGlyphs+1 offsets into glyf
}

// embedTables are the tables PDF 32000-1 §9.9 requires in an embedded
// TrueType font used by a CIDFontType2; GSUB and GPOS are dropped because
// the shaping is already done, which is most of Amiri's size.
var embedTables = []string{"cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca",
	"maxp", "prep"}

func parseSFNT(b []byte) (*sfnt, error) {
	if len(b) < 12 {
		return nil, errBadFont
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	f := &sfnt{tables: make(map[string][]byte, n)}
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil, errBadFont
		}
		off := int(binary.BigEndian.Uint32(b[rec+8:]))
		size := int(binary.BigEndian.Uint32(b[rec+12:]))
		if off < 0 || size < 0 || off+size > len(b) {
			return nil, errBadFont
		}
		f.tables[string(b[rec:rec+4])] = b[off : off+size]
	}

	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || f.tables["glyf"] == nil {
		return nil, fmt.Errorf("%w: missing head, hhea, maxp or glyf", errBadFont)
	}
	f.upem = float64(binary.BigEndian.Uint16(head[18:]))
	for i := range f.bbox {
		f.bbox[i] = int16(binary.BigEndian.Uint16(head[36+2*i:]))
	}
	f.ascent = int16(binary.BigEndian.Uint16(hhea[4:]))
	f.descent = int16(binary.BigEndian.Uint16(hhea[6:]))
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	f.numHMetrics = int(binary.BigEndian.Uint16(hhea[34:]))

	return f, f.readLoca(binary.BigEndian.Uint16(head[50:]) == 1)
}

func (f *sfnt) readLoca(long bool) error {
	loca := f.tables["loca"]
	f.loca = make([]uint32, f.numGlyphs+1)
	for i := range f.loca {
		switch {
		case long && 4*i+4 <= len(loca):
			f.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		case !long && 2*i+2 <= len(loca):
			f.loca[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		default:
			return fmt.Errorf("%w: short loca table", errBadFont)
		}
	}
	glyf := uint32(len(f.tables["glyf"]))
	for i := 1; i < len(f.loca); i++ {
		if f.loca[i] < f.loca[i-1] || f.loca[i] > glyf {
			return fmt.Errorf("%w: loca out of order", errBadFont)
		}
	}
	return nil
}

// advance is a glyph's advance width in font units; glyphs past the last
// long metric repeat its width.
func (f *sfnt) advance(gid uint16) float64 {
	hmtx := f.tables["hmtx"]
	n := min(int(gid), f.numHMetrics-1)
	if n < 0 || 4*n+2 > len(hmtx) {
		return 0
	}
	return float64(binary.BigEndian.Uint16(hmtx[4*n:]))
}

func (f *sfnt) glyph(gid int) []byte {
	return f.tables["glyf"][f.loca[gid]:f.loca[gid+1]]
}

// closeComposites adds the components of composite glyphs to used, since a
// viewer needs them to draw the composite.
func (f *sfnt) closeComposites(used map[uint16]bool) {
	stack := make([]uint16, 0, len(used))
	for g := range used {
		stack = append(stack, g)
	}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range f.components(int(g)) {
			if !used[c] && int(c) < f.numGlyphs {
				used[c] = true
				stack = append(stack, c)
			}
		}
	}
}

func (f *sfnt) components(gid int) []uint16 {
	const words, scale, xyScale, twoByTwo, more = 0x1, 0x8, 0x40, 0x80, 0x20
	g := f.glyph(gid)
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	var out []uint16
	for p := 10; p+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[p:])
		out = append(out, binary.BigEndian.Uint16(g[p+2:]))
		p += 6
		if flags&words != 0 {
			p += 2
		}
		switch {
		case flags&scale != 0:
			p += 2
		case flags&xyScale != 0:
			p += 4
		case flags&twoByTwo != 0:
			p += 8
		}
		if flags&more == 0 {
			break
		}
	}
	return out
}

// subset returns a TrueType file in which every glyph outside used is
// empty. Glyph ids stay the same, which lets the PDF use an Identity
// CIDToGIDMap.
func (f *sfnt) subset(used map[uint16]bool) []byte {
	used[0] = true // .notdef must exist in every font
	f.closeComposites(used)

	var glyf []byte
	loca := make([]byte, 4*(f.numGlyphs+1))
	for gid := range f.numGlyphs {
		binary.BigEndian.PutUint32(loca[4*gid:], uint32(len(glyf)))
		if used[uint16(gid)] {
			glyf = append(glyf, f.glyph(gid)...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.numGlyphs:], uint32(len(glyf)))

	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint16(head[50:], 1) // loca is now long format
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, see writeSFNT

	// Unused metrics are zeroed too: they cost nothing to a viewer and
	// zeros compress to almost nothing.
	return f.write(map[string][]byte{"glyf": glyf, "loca": loca, "head": head,
		"hmtx": f.usedMetrics(used)})
}

// usedMetrics is hmtx with the entries of unused glyphs zeroed. Glyphs past
// numHMetrics have only a side bearing and take the last full entry's
// advance, so that entry is always kept.
func (f *sfnt) usedMetrics(used map[uint16]bool) []byte {
	src := f.tables["hmtx"]
	hmtx := make([]byte, len(src))
	keep := func(at, n int) {
		if at >= 0 && at+n <= len(src) {
			copy(hmtx[at:at+n], src[at:])
		}
	}
	keep(4*(f.numHMetrics-1), 4)
	for g := range used {
		if int(g) < f.numHMetrics {
			keep(4*int(g), 4)
		} else {
			keep(4*f.numHMetrics+2*(int(g)-f.numHMetrics), 2)
		}
	}
	return hmtx
}

func (f *sfnt) write(repl map[string][]byte) []byte {
	var tags []string
	for _, t := range embedTables {
		if _, ok := f.tables[t]; ok {
			tags = append(tags, t)
		}
	}
	sort.Strings(tags)

	out := make([]byte, 12+16*len(tags))
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(len(tags)))
	sel := bits.Len(uint(len(tags))) - 1
	binary.BigEndian.PutUint16(out[6:], uint16(16<<sel))
	binary.BigEndian.PutUint16(out[8:], uint16(sel))
	binary.BigEndian.PutUint16(out[10:], uint16(16*len(tags)-16<<sel))
	headAt := 0
	for i, t := range tags {
		data, ok := repl[t]
		if !ok {
			data = f.tables[t]
		}
		rec := out[12+16*i:]
		copy(rec, t)
		binary.BigEndian.PutUint32(rec[4:], checksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		if t == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}

	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
