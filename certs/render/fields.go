package render

// fields draws label and value rows: the Arabic label with its English
// translation under it in the right column, the value to its left.
func (p *page) fields(fs []Field) error {
	valueW := contentW - labelW - colGap
	for i, f := range fs {
		label, err := p.shape(f.Label, labelStyle, labelW)
		if err != nil {
			return err
		}
		labelEn, err := p.shape(f.LabelEn, labelEnStyle, labelW)
		if err != nil {
			return err
		}
		value, err := p.shape(f.Value, valueStyle, valueW)
		if err != nil {
			return err
		}

		top := p.y + 3
		labelX := pageW - margin - labelW
		p.draw(label, labelX, top, labelW, alignRight)
		p.draw(labelEn, labelX, top+label.height()-2, labelW, alignRight)
		p.draw(value, margin, top, valueW, alignRight)

		p.y = top + max(label.height()+labelEn.height()-2, value.height()) + 3
		if i < len(fs)-1 {
			p.c.gray(0.75)
			p.c.hline(margin, pageW-margin, p.y, thinRule)
		}
	}
	return nil
}

// table draws t with borders, its header row in bold, columns from right
// to left, each cell's text centred and wrapped to the column.
func (p *page) table(t *Table) error {
	if t == nil {
		return nil
	}
	ncol := len(t.Headers)
	for _, r := range t.Rows {
		ncol = max(ncol, len(r))
	}
	if ncol == 0 {
		return nil
	}

	p.y += 10
	colW := contentW / float64(ncol)
	rows := append([][]string{t.Headers}, t.Rows...)
	if len(t.Total) > 0 {
		rows = append(rows, t.Total)
	}
	top := p.y
	p.c.gray(0)
	p.c.hline(margin, pageW-margin, top, 0.6)
	for i, row := range rows {
		st := cellStyle
		if i == 0 || (len(t.Total) > 0 && i == len(rows)-1) {
			st = headStyle
		}
		if err := p.row(row, st, colW); err != nil {
			return err
		}
	}

	for c := 0; c <= ncol; c++ {
		p.c.vline(margin+float64(c)*colW, top, p.y, 0.6)
	}
	return nil
}

func (p *page) row(cells []string, st style, colW float64) error {
	blocks := make([]block, len(cells))
	h := 0.0
	for i, text := range cells {
		b, err := p.shape(text, st, colW-2*cellPad)
		if err != nil {
			return err
		}
		blocks[i] = b
		h = max(h, b.height())
	}

	for i, b := range blocks {
		x := pageW - margin - float64(i+1)*colW + cellPad
		p.draw(b, x, p.y+cellPad, colW-2*cellPad, alignCenter)
	}
	p.y += h + 2*cellPad
	p.c.gray(0)
	p.c.hline(margin, pageW-margin, p.y, 0.6)
	return nil
}
