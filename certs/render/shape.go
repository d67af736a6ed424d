package render

import (
	"errors"
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
// baseline. cid is its character code in the page's font: see usage.
type placed struct {
	cid  uint16
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
		if err := use.check(out, runes); err != nil {
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
			l, err := place(wl.Line, runes, use)
			if err != nil {
				return nil, err
			}
			lines = append(lines, l)
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

// place lays the runs of a wrapped line out from left to right and gives
// each glyph the code that carries its text. The wrapper's slice is reused
// by its next call, so the glyphs are copied.
func place(runs shaping.Line, runes []rune, use *usage) (line, error) {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b shaping.Output) int {
		return int(a.VisualIndex - b.VisualIndex)
	})

	var l line
	var pen fixed.Int26_6
	for _, run := range runs {
		rtl := run.Direction.Progression() == di.TowardTopLeft
		gs := run.Glyphs
		for i := 0; i < len(gs); {
			j := i + 1
			for j < len(gs) && gs[j].ClusterIndex == gs[i].ClusterIndex {
				j++
			}
			c := gs[i].ClusterIndex
			text := runes[c : c+gs[i].RuneCount]
			if trailingSpace(gs[i:j], text) {
				i = j
				continue
			}
			texts := clusterText(gs[i:j], text, rtl)
			for k, g := range gs[i:j] {
				cid, err := use.code(uint16(g.GlyphID), texts[k], g.Advance == 0)
				if err != nil {
					return line{}, err
				}
				l.glyphs = append(l.glyphs, placed{
					cid: cid,
					rtl: rtl,
					x:   float32(pen+g.XOffset) / 64,
					y:   float32(g.YOffset) / 64,
				})
				pen += g.Advance
			}
			i = j
		}
	}
	l.width = float32(pen) / 64
	return l, nil
}

// trailingSpace reports a space the wrapper left at the end of a line with
// no advance. It draws nothing, and drawn it would share its place with
// the line's last letter, which pdftotext would then take for a duplicate
// and cut from its word ("وفق" came out as "وف" and "ق").
func trailingSpace(gs []shaping.Glyph, text []rune) bool {
	for _, g := range gs {
		if g.Advance != 0 {
			return false
		}
	}
	return !slices.ContainsFunc(text, func(r rune) bool { return !unicode.IsSpace(r) })
}

// clusterText is the text each glyph of one cluster stands for, glyphs in
// visual order. The first spacing glyph in reading order carries all of
// the cluster's text, its marks included; further spacing glyphs carry a
// joiner, so that extraction shows no gap for them; marks carry nothing.
//
// Marks cannot carry their own text. A mark sits over its base letter
// while the glyphs are drawn from left to right, so in a right-to-left
// word it is drawn between two letters but placed over the later one, or
// past the end of the earlier one: pdftotext takes the letter drawn next,
// a fraction of a point to the left of the mark, for a duplicate (fake
// bold) and cuts the word there, and the pieces then overlap and land on
// separate lines ("مرخّص" came out as "خص" over "مر ّ"). A glyph with no
// text is skipped by text extraction, whatever its position.
func clusterText(gs []shaping.Glyph, text []rune, rtl bool) []string {
	texts := make([]string, len(gs))
	order := make([]int, len(gs)) // glyph indices in reading order
	for i := range order {
		order[i] = i
	}
	if rtl {
		slices.Reverse(order)
	}

	first := order[0] // a cluster of marks alone: its first glyph
	for _, i := range order {
		if gs[i].Advance != 0 {
			first = i
			break
		}
	}
	for _, i := range order {
		switch {
		case i == first:
			texts[i] = string(text)
		case gs[i].Advance != 0:
			texts[i] = zwj
		}
	}
	return texts
}

// usage collects, for one font of one document, the glyphs drawn and the
// text each stands for, which become the subset, the W array and the
// ToUnicode CMap. A glyph gets a character code (CID) of its own for each
// text it stands for, so that a letter with a shadda and the same letter
// without one extract differently; the font's CIDToGIDMap leads the codes
// back to the glyphs.
type usage struct {
	file  *fontFile
	codes []code          // codes[cid-1]; CID 0 is left to .notdef
	cids  map[code]uint16 // the inverse
}

// code is what a character code stands for: a glyph and its text, and
// whether it was shaped with no advance (a mark, given width 0).
type code struct {
	gid  uint16
	text string
	mark bool
}

func newUsage(f *fontFile) *usage {
	return &usage{file: f, cids: make(map[code]uint16, 256)}
}

// code returns the character code for glyph gid standing for text.
func (u *usage) code(gid uint16, text string, mark bool) (uint16, error) {
	c := code{gid: gid, text: text, mark: mark}
	if cid, ok := u.cids[c]; ok {
		return cid, nil
	}
	if len(u.codes) >= 0xfffe {
		return 0, tooLong("more than 65,534 distinct glyphs")
	}
	u.codes = append(u.codes, c)
	cid := uint16(len(u.codes))
	u.cids[c] = cid
	return cid, nil
}

// check fails when the font lacks a glyph for some text of out: glyph 0
// in shaping output means "missing glyph, use a fallback font".
func (u *usage) check(out shaping.Output, runes []rune) error {
	for _, g := range out.Glyphs {
		if g.GlyphID == 0 {
			return missingGlyph(u.file, runes[g.ClusterIndex:g.ClusterIndex+max(g.RuneCount, 1)])
		}
	}
	return nil
}

func missingGlyph(f *fontFile, text []rune) error {
	r := text[0]
	return &glyphError{r: r, err: sijil.Errorf(sijil.Invalid, "render.missing_glyph",
		"render: font %s has no glyph for %q (U+%04X)", f.name, string(r), r)}
}

// glyphError is a missing glyph with the character that lacks it, so that
// the caller, who knows which text came from where, can say which of its
// inputs holds it.
type glyphError struct {
	r   rune
	err *sijil.Error
}

func (e *glyphError) Error() string { return e.err.Error() }

func (e *glyphError) Unwrap() error { return e.err }

// MissingGlyph returns the character a render.missing_glyph error in err's
// chain could not draw.
func MissingGlyph(err error) (rune, bool) {
	var g *glyphError
	if errors.As(err, &g) {
		return g.r, true
	}
	return 0, false
}
