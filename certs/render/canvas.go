package render

import (
	"bytes"
	"fmt"
)

// canvas builds a page's content stream in PDF user space (points, origin
// at the bottom left); callers give y from the top of the page.
type canvas struct {
	b     bytes.Buffer
	fonts [2][2]bool // [face][rtl]: the font resources the page uses
}

func (c *canvas) gray(level float64) {
	fmt.Fprintf(&c.b, "%s g %s G\n", num(level), num(level))
}

// text draws a shaped line with its left end at x and its baseline at y,
// one glyph per show, so that viewers place every glyph where the shaper
// put it whatever widths they assume. Glyphs of right-to-left runs use the
// face's RTL font resource, whose ToUnicode marks neutral characters as
// right-to-left: see toUnicode.
func (c *canvas) text(l line, fi int, size, upem, x, y float64) {
	if len(l.glyphs) == 0 {
		return
	}
	k := size / upem
	c.b.WriteString("BT\n")

	var px, py float64
	for i, g := range l.glyphs {
		if i == 0 || g.rtl != l.glyphs[i-1].rtl {
			c.fonts[fi][b2i(g.rtl)] = true
			fmt.Fprintf(&c.b, "/%s %s Tf ", fontRes(fi, g.rtl), num(size))
		}
		gx, gy := x+float64(g.x)*k, pageH-y+float64(g.y)*k
		if i == 0 {
			fmt.Fprintf(&c.b, "%s %s Td", num(gx), num(gy))
		} else {
			fmt.Fprintf(&c.b, "%s %s Td", num(gx-px), num(gy-py))
		}
		fmt.Fprintf(&c.b, "<%04X>Tj\n", g.cid)
		px, py = num2(gx), num2(gy)
	}
	c.b.WriteString("ET\n")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fontRes names a font resource: F for left-to-right runs, R for
// right-to-left ones, then the face number.
func fontRes(fi int, rtl bool) string {
	return fmt.Sprintf("%c%d", "FR"[b2i(rtl)], fi)
}

// num2 rounds like num, so relative moves do not accumulate rounding.
func num2(v float64) float64 {
	return float64(int64(v*100+copySign(0.5, v))) / 100
}

// hline strokes a horizontal rule from x0 to x1 at y.
func (c *canvas) hline(x0, x1, y, width float64) {
	fmt.Fprintf(&c.b, "%s w %s %s m %s %s l S\n", num(width),
		num(x0), num(pageH-y), num(x1), num(pageH-y))
}

// vline strokes a vertical rule from y0 down to y1 at x.
func (c *canvas) vline(x, y0, y1, width float64) {
	fmt.Fprintf(&c.b, "%s w %s %s m %s %s l S\n", num(width),
		num(x), num(pageH-y0), num(x), num(pageH-y1))
}

// rect appends a rectangle to the current path; fill paints them all.
func (c *canvas) rect(x, y, w, h float64) {
	fmt.Fprintf(&c.b, "%s %s %s %s re\n", num(x), num(pageH-y-h), num(w), num(h))
}

func (c *canvas) fill() { c.b.WriteString("f\n") }

// image paints the page's image XObject /Im<n> in the box from x, y (its
// top left) of size w by h.
func (c *canvas) image(n int, x, y, w, h float64) {
	fmt.Fprintf(&c.b, "q %s 0 0 %s %s %s cm /Im%d Do Q\n", num(w), num(h), num(x),
		num(pageH-y-h), n)
}

// frame strokes the outline of a box whose top left is x, y.
func (c *canvas) frame(x, y, w, h, width float64) {
	fmt.Fprintf(&c.b, "%s w %s %s %s %s re S\n", num(width), num(x), num(pageH-y-h),
		num(w), num(h))
}
