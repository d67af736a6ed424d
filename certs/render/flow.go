package render

// flow is the space the notes fill: the full content width down to cut,
// the top of the QR block, and from there down to end only the width from
// left to the margin, beside the QR code.
type flow struct {
	cut, end float64
	left     float64
}

// box is the left edge and width of a line whose box spans top to bottom.
func (f flow) box(top, bottom float64) (x, w float64) {
	if bottom > f.cut {
		return f.left, pageW - margin - f.left
	}
	return margin, contentW
}

// notes draws the paragraphs after the table into f, each a little apart
// from the one before.
func (p *page) notes(notes []string, f flow) error {
	if len(notes) > 0 {
		p.y += 4
	}
	for _, n := range notes {
		p.y += 4
		if err := p.note(n, noteStyle, f); err != nil {
			return err
		}
	}
	return nil
}

// note wraps text line by line, so that a paragraph which reaches the QR
// block narrows beside it instead of having to end above it.
func (p *page) note(text string, st style, f flow) error {
	top, lh := p.y, st.size*lineGap
	lineBox := func(i int) (x, w float64) {
		y := top + float64(i)*lh
		return f.box(y, y+lh)
	}
	b, err := p.shapeTo(text, st, func(i int) float64 {
		_, w := lineBox(i)
		return w
	})
	if err != nil {
		return err
	}

	if end := top + b.height(); end > f.end {
		return tooLow(end, f.end)
	}

	for i := range b.lines {
		x, w := lineBox(i)
		p.drawLine(b, i, x, top, w, alignStart)
	}
	p.y += b.height()
	return nil
}
