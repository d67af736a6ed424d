package render

import (
	"slices"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"

	"github.com/sijil-municipality/sijil"
)

// Kerning moves glyphs by small amounts that pdftotext reads as spaces
// inside words, so it is turned off; the difference is hardly visible.
var noKern = []shaping.FontFeature{{Tag: ot.MustNewTag("kern"), Value: 0}}

// zwj stands for glyphs that carry no text of their own (the second glyph
// of a decomposed letter), so that text extraction shows no gap for them.
const zwj = "\u200d"

// placed is a glyph on a line, in font units from the line's left end and
// baseline.
type placed struct {
	gid  uint16
	rtl  bool // drawn in a right-to-left run; see canvas.text
	x, y float32
}

// line is one visual line of shaped text.
type line struct {
	glyphs []placed
	width  float32 // font units
}

// shaper owns the mutable state shaping needs: go-text faces, shaper and
// wrapper caches are not safe for concurrent use, so each render borrows
// one from the Renderer's pool.
type shaper struct {
	faces [2]*font.Face
	hb    shaping.HarfbuzzShaper
	seg   shaping.Segmenter
	wrap  shaping.LineWrapper
}

type oneFace struct{ f *font.Face }

func (o oneFace) ResolveFace(rune) *font.Face { return o.f }

// paragraph shapes text in face fi and wraps it line by line, line i to
// width(i) font units, so that text can narrow beside the QR code. Glyphs
// and their text are recorded in use for the font objects.
func (s *shaper) paragraph(text string, fi int, width func(line int) float32,
	use *usage) ([]line, error) {
	runes := []rune(strings.Join(strings.Fields(text), " "))
	if len(runes) == 0 {
		return nil, nil
	}
	dir := direction(runes)
	face := s.faces[fi]
	in := shaping.Input{
		Text: runes, RunEnd: len(runes), Direction: dir, Face: face,
		Size: fixed.I(int(face.Upem())), Language: language.NewLanguage("ar"),
		FontFeatures: noKern,
	}

	var outs []shaping.Output
	for _, run := range s.seg.Split(in, oneFace{face}) {
		out := s.hb.Shape(run)
		if err := use.record(out, runes); err != nil {
			return nil, err
		}
		outs = append(outs, out)
	}

	s.wrap.Prepare(shaping.WrapConfig{Direction: dir}, runes, shaping.NewSliceIterator(outs))
	var lines []line
	for done := false; !done; {
		var wl shaping.WrappedLine
		wl, done = s.wrap.WrapNextLineF(fixed.Int26_6(width(len(lines)) * 64))
		if wl.Line != nil {
			lines = append(lines, place(wl.Line))
		}
	}
	return lines, nil
}

// direction is the paragraph direction from the first strong character;
// Sijil's documents are Arabic first, so a line without letters is RTL.
func direction(runes []rune) di.Direction {
	for _, r := range runes {
		switch {
		case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana):
			return di.DirectionRTL
		case unicode.IsLetter(r):
			return di.DirectionLTR
		}
	}
	return di.DirectionRTL
}

// place lays the runs of a wrapped line out from left to right. The
// wrapper's slice is reused by its next call, so the glyphs are copied.
func place(runs shaping.Line) line {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b shaping.Output) int {
		return int(a.VisualIndex - b.VisualIndex)
	})

	var l line
	var pen fixed.Int26_6
	for _, run := range runs {
		rtl := run.Direction.Progression() == di.TowardTopLeft
		for _, g := range run.Glyphs {
			l.glyphs = append(l.glyphs, placed{
				gid: uint16(g.GlyphID),
				rtl: rtl,
				x:   float32(pen+g.XOffset) / 64,
				y:   float32(g.YOffset) / 64,
			})
			pen += g.Advance
		}
	}
	l.width = float32(pen) / 64
	return l
}

// usage collects, for one font of one document, the glyphs drawn and the
// text each stands for, which become the subset, the W array and the
// ToUnicode CMap.
type usage struct {
	file *fontFile
	text map[uint16]string
	mark map[uint16]bool // shaped with no advance: a mark, given width 0
}

func (u *usage) record(out shaping.Output, runes []rune) error {
	gs := out.Glyphs
	for i := 0; i < len(gs); {
		j := i + 1
		for j < len(gs) && gs[j].ClusterIndex == gs[i].ClusterIndex {
			j++
		}
		c := gs[i].ClusterIndex
		if err := u.cluster(gs[i:j], runes[c:c+gs[i].RuneCount], out.Direction); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// cluster maps the glyphs of one cluster to its text: a single glyph gets
// all of it (ligatures), zero-advance glyphs get the combining marks, the
// first spacing glyph the rest, and further glyphs nothing visible.
func (u *usage) cluster(gs []shaping.Glyph, text []rune, dir di.Direction) error {
	for _, g := range gs {
		if g.GlyphID == 0 {
			return missingGlyph(u.file, text)
		}
	}
	if len(gs) == 1 {
		u.set(gs[0], string(text))
		return nil
	}

	var base, marks []rune
	for _, r := range text {
		if unicode.Is(unicode.Mn, r) {
			marks = append(marks, r)
		} else {
			base = append(base, r)
		}
	}
	if dir.Progression() == di.TowardTopLeft {
		gs = slices.Clone(gs)
		slices.Reverse(gs)
	}
	for _, g := range gs {
		switch {
		case g.Advance == 0 && len(marks) > 0:
			u.set(g, string(marks[0]))
			marks = marks[1:]
		case g.Advance != 0 && len(base) > 0:
			u.set(g, string(base))
			base = nil
		default:
			u.set(g, zwj)
		}
	}
	return nil
}

// set keeps the first text seen for a glyph: a ToUnicode CMap has one entry
// per glyph, and a real text beats the placeholder.
func (u *usage) set(g shaping.Glyph, text string) {
	gid := g.GlyphID
	if g.Advance == 0 {
		u.mark[uint16(gid)] = true
	}
	if old, ok := u.text[uint16(gid)]; !ok || old == zwj {
		u.text[uint16(gid)] = text
	}
}

func missingGlyph(f *fontFile, text []rune) error {
	r := text[0]
	return sijil.Errorf(sijil.Invalid, "render.missing_glyph",
		"render: font %s has no glyph for %q (U+%04X)", f.name, string(r), r)
}
