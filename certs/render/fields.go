package render

import (
	"strings"

	"github.com/sijil-municipality/sijil"
)

// gridGap separates the fields of a row when they sit side by side.
const gridGap = 16.0

// fields draws the fields cols to a row, in reading order from the right,
// each with a rule under its row; the fields of a row share its height so
// that the grid stays aligned.
func (p *page) fields(fs []Field, cols int) error {
	if cols < 0 || cols > 2 {
		return sijil.Errorf(sijil.Invalid, "render.field_columns",
			"render: %d field columns; 1 or 2 fit a page", cols)
	}
	cols = max(cols, 1)
	cellW := (contentW - float64(cols-1)*gridGap) / float64(cols)

	for i := 0; i < len(fs); i += cols {
		top := p.y + 3
		h := 0.0
		for j, f := range fs[i:min(i+cols, len(fs))] {
			x := pageW - margin - float64(j+1)*cellW - float64(j)*gridGap
			fh, err := p.field(f, x, top, cellW)
			if err != nil {
				return err
			}
			h = max(h, fh)
		}

		p.y = top + h + 3
		p.c.gray(0.75)
		for j := 1; j < cols; j++ {
			x := pageW - margin - float64(j)*(cellW+gridGap) + gridGap/2
			p.c.vline(x, top-3, p.y, thinRule)
		}
		if i+cols < len(fs) {
			p.c.hline(margin, pageW-margin, p.y, thinRule)
		}
	}
	return nil
}

// field draws one field in the cell from x of width w: the Arabic label
// with its English translation under it on the right, the value to its
// left. It returns the height the field takes.
func (p *page) field(f Field, x, top, w float64) (float64, error) {
	// In a half-width cell the label gives up some room, so that most
	// values still fit on one line.
	labW := min(labelW, 0.42*w)
	valueW := w - labW - colGap
	label, err := p.shape(f.Label, labelStyle, labW)
	if err != nil {
		return 0, err
	}
	labelEn, err := p.shape(f.LabelEn, labelEnStyle, labW)
	if err != nil {
		return 0, err
	}
	value, err := p.shapeValue(f.Value, valueW)
	if err != nil {
		return 0, err
	}

	labelX := x + w - labW
	p.draw(label, labelX, top, labW, alignRight)
	p.draw(labelEn, labelX, top+label.height()-2, labW, alignRight)
	p.draw(value, x, top, valueW, alignRight)
	return max(label.height()+labelEn.height()-2, value.height()), nil
}

// minValueSize is the smallest a one-word value may shrink to: still
// legible after a photocopy.
const minValueSize = 8.5

// shapeValue shapes a field's value to the width. A value with no space, a
// certificate number or a hash, must not break across lines, where a
// reader could take half of it for the whole; it is set smaller instead.
func (p *page) shapeValue(value string, width float64) (block, error) {
	st := valueStyle
	for {
		b, err := p.shape(value, st, width)
		if err != nil || len(b.lines) <= 1 || strings.ContainsRune(value, ' ') ||
			st.size <= minValueSize {
			return b, err
		}
		st.size = max(st.size-0.5, minValueSize)
	}
}

// table draws t with borders, its header row in bold, columns from right
// to left, each cell's text centred and wrapped to the column.
func (p *page) table(t *Table) error {
	ncol := columns(t)
	if ncol == 0 {
		return nil
	}

	colW := contentW / float64(ncol)
	rows := append([][]string{t.Headers}, t.Rows...)
	if len(t.Total) > 0 {
		rows = append(rows, t.Total)
	}
	top := p.tableTop()
	for i, row := range rows {
		st := cellStyle
		if i == 0 || (len(t.Total) > 0 && i == len(rows)-1) {
			st = headStyle
		}
		r, err := p.shapeRow(row, st, colW)
		if err != nil {
			return err
		}
		p.drawRow(r, colW)
	}
	p.tableSides(top, ncol, colW)
	return nil
}

// columns is how many columns t has; 0 draws no table.
func columns(t *Table) int {
	if t == nil {
		return 0
	}
	ncol := len(t.Headers)
	for _, r := range t.Rows {
		ncol = max(ncol, len(r))
	}
	return ncol
}

// tableTop rules the top of a table a little below the cursor and returns
// where the rule is.
func (p *page) tableTop() float64 {
	p.y += 10
	top := p.y
	p.c.gray(0)
	p.c.hline(margin, pageW-margin, top, 0.6)
	return top
}

// tableSides rules the column borders from top down to the cursor.
func (p *page) tableSides(top float64, ncol int, colW float64) {
	for c := 0; c <= ncol; c++ {
		p.c.vline(margin+float64(c)*colW, top, p.y, 0.6)
	}
}

// row is a table row shaped to its columns: one block a cell, and the
// height of the row with its padding.
type row struct {
	cells []block
	h     float64
}

func (p *page) shapeRow(texts []string, st style, colW float64) (row, error) {
	r := row{cells: make([]block, len(texts))}
	h := 0.0
	for i, text := range texts {
		b, err := p.shape(text, st, colW-2*cellPad)
		if err != nil {
			return row{}, err
		}
		r.cells[i] = b
		h = max(h, b.height())
	}
	r.h = h + 2*cellPad
	return r, nil
}

// drawRow draws r at the cursor, each cell centred in its column, and the
// rule under it.
func (p *page) drawRow(r row, colW float64) {
	for i, b := range r.cells {
		x := pageW - margin - float64(i+1)*colW + cellPad
		p.draw(b, x, p.y+cellPad, colW-2*cellPad, alignCenter)
	}
	p.y += r.h
	p.c.gray(0)
	p.c.hline(margin, pageW-margin, p.y, 0.6)
}
