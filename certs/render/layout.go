package render

import (
	"fmt"

	"github.com/go-text/typesetting/di"

	"github.com/sijil-municipality/sijil"
)

// A4 in points, and the page's furniture. Sizes are chosen so that the
// smallest text (7.5 pt) survives a cheap laser printer and a photocopy.
const (
	pageW    = 595.276
	pageH    = 841.89
	mm       = 72 / 25.4
	margin   = 18 * mm
	contentW = pageW - 2*margin

	labelW   = 150.0 // width of the field label column
	colGap   = 12.0
	cellPad  = 4.0
	thinRule = 0.4

	lineGap  = 1.5  // line height as a multiple of the font size
	ascender = 1.05 // baseline below the line top, as a multiple of the size
)

type align int

const (
	alignStart  align = iota // right for Arabic paragraphs, left for English
	alignCenter              // centred in the box
	alignRight               // flush right whatever the direction
)

// page is the state of one render: the borrowed shaper, the glyphs each
// font used, the content stream and the layout cursor.
type page struct {
	r   *Renderer
	sh  *shaper
	use [2]*usage
	c   canvas
	y   float64 // top of the next block, from the top of the page

	images []*pngImage // drawn on the page as /Im0, /Im1, …
}

// style is a font face, size and grey level of a piece of text.
type style struct {
	face int
	size float64
	gray float64
}

var (
	headerStyle  = style{regular, 11, 0}
	titleStyle   = style{bold, 20, 0}
	titleEnStyle = style{regular, 12, 0.25}
	labelStyle   = style{bold, 11, 0}
	labelEnStyle = style{regular, 8, 0.35}
	valueStyle   = style{regular, 11, 0}
	cellStyle    = style{regular, 10, 0}
	headStyle    = style{bold, 10, 0}
	noteStyle    = style{regular, 10, 0}
	smallStyle   = style{regular, 7.5, 0.2}
)

// block is a shaped paragraph ready to be drawn in a box of some width.
type block struct {
	lines []line
	st    style
	rtl   bool
}

func (b block) height() float64 { return float64(len(b.lines)) * b.st.size * lineGap }

func (p *page) shape(text string, st style, width float64) (block, error) {
	return p.shapeTo(text, st, func(int) float64 { return width })
}

// shapeTo is shape with a width that may change from line to line.
func (p *page) shapeTo(text string, st style, width func(line int) float64) (block, error) {
	units := p.r.fonts[st.face].sfnt.upem / st.size
	lines, err := p.sh.paragraph(text, st.face, func(i int) float32 {
		return float32(width(i) * units)
	}, p.use[st.face])
	if err != nil {
		return block{}, err
	}
	rtl := direction([]rune(text)).Progression() == di.TowardTopLeft
	return block{lines: lines, st: st, rtl: rtl}, nil
}

// width is the width of b's widest line.
func (p *page) width(b block) float64 {
	w := float32(0)
	for _, l := range b.lines {
		w = max(w, l.width)
	}
	return float64(w) * b.st.size / p.r.fonts[b.st.face].sfnt.upem
}

// draw paints b in the box starting at x, top, of the given width.
func (p *page) draw(b block, x, top, width float64, a align) {
	for i := range b.lines {
		p.drawLine(b, i, x, top, width, a)
	}
}

// drawLine paints line i of the block whose first line starts at top, in
// the box from x of the given width.
func (p *page) drawLine(b block, i int, x, top, width float64, a align) {
	upem := p.r.fonts[b.st.face].sfnt.upem
	l := b.lines[i]
	w := float64(l.width) * b.st.size / upem
	lx := x
	switch {
	case a == alignCenter:
		lx = x + (width-w)/2
	case a == alignRight || (a == alignStart && b.rtl):
		lx = x + width - w
	}
	base := top + float64(i)*b.st.size*lineGap + b.st.size*ascender
	p.c.gray(b.st.gray)
	p.c.text(l, b.st.face, b.st.size, upem, lx, base)
}

// para shapes and draws text across the content width at the cursor.
func (p *page) para(text string, st style, a align) error {
	b, err := p.shape(text, st, contentW)
	if err != nil {
		return err
	}
	p.draw(b, margin, p.y, contentW, a)
	p.y += b.height()
	return nil
}

func (p *page) layout(s *Sheet) error {
	if err := p.heading(s); err != nil {
		return err
	}

	if err := p.fields(s.Fields, s.FieldColumns); err != nil {
		return err
	}
	if err := p.table(s.Table); err != nil {
		return err
	}

	// The bottom block is placed first because the notes flow beside it;
	// the fields and the table cannot, so they must end above it.
	f, err := p.bottom(s)
	if err != nil {
		return err
	}
	if p.y+6 > f.cut {
		return tooLow(p.y+6, f.cut)
	}

	return p.notes(s.Notes, f)
}

// heading draws the issuer lines, the titles and the rule under them.
func (p *page) heading(s *Sheet) error {
	p.y = margin
	for _, h := range s.Header {
		if err := p.para(h, headerStyle, alignCenter); err != nil {
			return err
		}
	}

	p.y += 4
	if err := p.para(s.Title, titleStyle, alignCenter); err != nil {
		return err
	}
	if err := p.para(s.TitleEn, titleEnStyle, alignCenter); err != nil {
		return err
	}

	p.y += 3
	p.c.gray(0)
	p.c.hline(margin, pageW-margin, p.y, 0.8)
	p.y += 6
	return nil
}

// tooLong reports content that would run into the QR code or off the page
// and cannot move to the next: cutting text would be worse.
func tooLong(what string) error {
	return sijil.Errorf(sijil.TooLarge, "render.too_long",
		"render: the certificate does not fit its A4 pages (%s)", what)
}

// tooLow reports content ending at end when it had to end by limit.
func tooLow(end, limit float64) error {
	return tooLong(fmt.Sprintf("content ends %.0f mm too low", (end-limit)/mm))
}
