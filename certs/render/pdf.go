package render

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
)

// pdfFile writes a PDF body object by object and remembers the offsets
// for the cross-reference table.
type pdfFile struct {
	buf     bytes.Buffer
	offsets []int // offsets[n-1] is where object n starts
}

func newPDFFile() *pdfFile {
	f := &pdfFile{}
	// The binary comment tells transfer tools the file is not text.
	f.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return f
}

// next returns the number the next object will get.
func (f *pdfFile) next() int { return len(f.offsets) + 1 }

func (f *pdfFile) object(body string) int {
	f.offsets = append(f.offsets, f.buf.Len())
	n := len(f.offsets)
	fmt.Fprintf(&f.buf, "%d 0 obj\n%s\nendobj\n", n, body)
	return n
}

// reserve sets aside the next object number, for an object that must be
// referred to before its body is known; objectAt writes it later.
func (f *pdfFile) reserve() int {
	f.offsets = append(f.offsets, -1)
	return len(f.offsets)
}

// objectAt writes the body of the reserved object n.
func (f *pdfFile) objectAt(n int, body string) {
	f.offsets[n-1] = f.buf.Len()
	fmt.Fprintf(&f.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

// rawStream writes a stream whose data is already encoded as dict says.
func (f *pdfFile) rawStream(dict string, data []byte) int {
	f.offsets = append(f.offsets, f.buf.Len())
	n := len(f.offsets)
	fmt.Fprintf(&f.buf, "%d 0 obj\n<<%s /Length %d>>\nstream\n", n, dict, len(data))
	f.buf.Write(data)
	f.buf.WriteString("\nendstream\nendobj\n")
	return n
}

// stream writes a Flate-compressed stream; dict holds the entries other
// than Length and Filter.
func (f *pdfFile) stream(dict string, data []byte) (int, error) {
	var z bytes.Buffer
	w, err := zlibWriter(&z)
	if err != nil {
		return 0, err
	}
	defer zlibPool.Put(w)
	if _, err := w.Write(data); err != nil {
		return 0, fmt.Errorf("render: flate: %w", err)
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("render: flate: %w", err)
	}

	f.offsets = append(f.offsets, f.buf.Len())
	n := len(f.offsets)
	fmt.Fprintf(&f.buf, "%d 0 obj\n<<%s /Length %d /Filter /FlateDecode>>\nstream\n",
		n, dict, z.Len())
	f.buf.Write(z.Bytes())
	f.buf.WriteString("\nendstream\nendobj\n")
	return n, nil
}

// zlibPool keeps compressors between streams and renders: each one
// allocates about a megabyte of tables, more than the page itself.
var zlibPool sync.Pool

func zlibWriter(dst *bytes.Buffer) (*zlib.Writer, error) {
	if w, ok := zlibPool.Get().(*zlib.Writer); ok {
		w.Reset(dst)
		return w, nil
	}
	w, err := zlib.NewWriterLevel(dst, zlib.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("render: flate: %w", err)
	}
	return w, nil
}

// finish writes the cross-reference table and trailer; root is the
// catalog's object number.
func (f *pdfFile) finish(root int) []byte {
	xref := f.buf.Len()
	fmt.Fprintf(&f.buf, "xref\n0 %d\n0000000000 65535 f \n", len(f.offsets)+1)
	for _, off := range f.offsets {
		fmt.Fprintf(&f.buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&f.buf, "trailer\n<</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n",
		len(f.offsets)+1, root, xref)
	return f.buf.Bytes()
}

// font writes a font subset with the glyphs in u, and a Type0 font over it
// for each used variant (left-to-right, right-to-left). It returns the
// Type0 fonts' object numbers, 0 for an unused variant.
func (f *pdfFile) font(u *usage, variants [2]bool) ([2]int, error) {
	var objs [2]int
	sf := u.file.sfnt
	used := make(map[uint16]bool, len(u.codes))
	for _, c := range u.codes {
		used[c.gid] = true
	}
	name := subsetTag(used) + "+" + u.file.name

	ttf := sf.subset(used)
	file, err := f.stream(fmt.Sprintf(" /Length1 %d", len(ttf)), ttf)
	if err != nil {
		return objs, err
	}
	desc := f.object(fmt.Sprintf("<</Type /FontDescriptor /FontName /%s /Flags 4 "+
		"/FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d "+
		"/CapHeight %d /StemV 80 /FontFile2 %d 0 R>>", name,
		scale(sf, float64(sf.bbox[0])), scale(sf, float64(sf.bbox[1])),
		scale(sf, float64(sf.bbox[2])), scale(sf, float64(sf.bbox[3])),
		scale(sf, float64(sf.ascent)), scale(sf, float64(sf.descent)),
		scale(sf, float64(sf.ascent)), file))
	cidToGID, err := f.stream("", cidToGIDMap(u))
	if err != nil {
		return objs, err
	}
	cid := f.object(fmt.Sprintf("<</Type /Font /Subtype /CIDFontType2 /BaseFont /%s "+
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> "+
		"/FontDescriptor %d 0 R /CIDToGIDMap %d 0 R /DW 0 /W %s>>",
		name, desc, cidToGID, widths(sf, u)))

	for v, used := range variants {
		if !used {
			continue
		}
		cmap, err := f.stream("", toUnicode(u.codes, v == 1))
		if err != nil {
			return objs, err
		}
		objs[v] = f.object(fmt.Sprintf("<</Type /Font /Subtype /Type0 /BaseFont /%s "+
			"/Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>",
			name, cid, cmap))
	}
	return objs, nil
}

// subsetTag is the six-letter prefix PDF requires for subset font names,
// derived from the glyph set so that equal subsets get equal names.
func subsetTag(used map[uint16]bool) string {
	h := fnv.New32a()
	for _, g := range slices.Sorted(maps.Keys(used)) {
		h.Write([]byte{byte(g >> 8), byte(g)})
	}
	sum := h.Sum32()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + byte(sum%26)
		sum /= 26
	}
	return string(tag)
}

// cidToGIDMap maps the character codes to glyph ids, two bytes a code
// from CID 0, which is .notdef.
func cidToGIDMap(u *usage) []byte {
	m := make([]byte, 2*(len(u.codes)+1))
	for i, c := range u.codes {
		m[2*i+2], m[2*i+3] = byte(c.gid>>8), byte(c.gid)
	}
	return m
}

// widths is the W array, one run from CID 1, since the codes are numbered
// without gaps. Marks get width 0, as the shaper gave them.
func widths(sf *sfnt, u *usage) string {
	var b strings.Builder
	b.WriteString("[")
	if len(u.codes) > 0 {
		b.WriteString("1 [")
		for i, c := range u.codes {
			if i > 0 {
				b.WriteString(" ")
			}
			w := 0
			if !c.mark {
				w = scale(sf, sf.advance(c.gid))
			}
			fmt.Fprintf(&b, "%d", w)
		}
		b.WriteString("]")
	}
	b.WriteString("]")
	return b.String()
}

// scale converts font units to the 1000-unit glyph space of PDF fonts.
func scale(sf *sfnt, v float64) int { return int(v * 1000 / sf.upem) }

// toUnicode is the CMap that lets text extraction turn glyph ids back into
// the text they were shaped from.
//
// pdftotext rebuilds logical order from the visual line with a simple
// rule: from the right, a stretch without left-to-right letters or digits
// is Arabic, then a stretch without Arabic letters is left-to-right. So a
// space or "/" drawn between an Arabic word and a number would join the
// number. With rtl set, neutral characters (spaces, punctuation) carry a
// RIGHT-TO-LEFT MARK, which makes them Arabic to pdftotext; the RTL font
// resource uses this CMap for glyphs that the bidi algorithm put in
// right-to-left runs. Likewise neutrals of left-to-right runs carry a
// LEFT-TO-RIGHT MARK, or the bracket closing a Latin line of an Arabic
// paragraph, "(…)", would be read as Arabic and moved before the line.
//
// A code of several characters (a letter with its marks, a ligature) is
// spread over the glyph's width in the order given, and pdftotext
// reverses right-to-left lines character by character to get back to
// logical order: so in the RTL CMap the text is written reversed, in
// visual order, or "مّ" would come out as the shadda before the meem.
// Codes with no text (marks, whose letter carries them) map to nothing,
// which text extraction skips.
func toUnicode(codes []code, rtl bool) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")

	for first := 0; first < len(codes); first += 100 {
		chunk := codes[first:min(first+100, len(codes))] // a CMap block holds at most 100 entries
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for i, c := range chunk {
			fmt.Fprintf(&b, "<%04X> <", first+i+1)
			t := []rune(c.text)
			if neutral(c.text) {
				t = []rune(mark(rtl) + c.text + mark(rtl))
			}
			if rtl {
				slices.Reverse(t)
			}
			for _, u := range utf16.Encode(t) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}

	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// mark is the RIGHT-TO-LEFT or LEFT-TO-RIGHT MARK.
func mark(rtl bool) string {
	if rtl {
		return "\u200f"
	}
	return "\u200e"
}

// neutral reports whether s is some text with neither letters nor digits,
// so that its direction comes from its neighbours.
func neutral(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return s != "" && s != zwj
}

// num formats a coordinate with at most two decimals, enough for 1/7000 in.
func num(v float64) string {
	return strconv.FormatFloat(num2(v), 'f', -1, 64)
}

func copySign(a, b float64) float64 {
	if b < 0 {
		return -a
	}
	return a
}
