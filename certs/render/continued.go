package render

import (
	"fmt"

	"github.com/sijil-municipality/sijil"
)

// The words a continuation page and the page numbers are printed with,
// Arabic first. The numbers stand on two lines, each in one direction, so
// that text extraction keeps each in order.
const (
	continuedAr = "تابع"
	continuedEn = "continued"
	pageOfAr    = "صفحة %d من %d"
	pageOfEn    = "page %d of %d"
)

var (
	contTitleStyle   = style{bold, 12, 0}
	contTitleEnStyle = style{regular, 9, 0.25}
	pageNoStyle      = style{regular, 9, 0.2}
)

// sheetPages lays out s. A sheet that fits one page is laid out as it
// always was; one whose table or notes do not is laid out again, flowing
// them onto continuation pages.
func (r *Renderer) sheetPages(sh *shaper, s *Sheet) ([]*page, error) {
	first := &page{r: r, sh: sh}
	for i, f := range r.fonts {
		first.use[i] = newUsage(f)
	}
	err := first.layout(s)
	if err == nil {
		return []*page{first}, nil
	}
	if sijil.KindOf(err) != sijil.TooLarge || (columns(s.Table) == 0 && len(s.Notes) == 0) {
		return nil, err
	}
	return r.flowSheet(sh, s)
}

// sheetFlow is the state of a sheet laid out across pages: the page being
// filled, the space on it and where each page's number goes once the
// number of pages is known.
type sheetFlow struct {
	s     *Sheet
	pages []*page
	p     *page
	f     flow
	fresh bool // nothing is drawn yet below the continuation page's heading
	boxes []pageNoBox
}

// pageNoBox is where a page's number is drawn: right-aligned in the box
// from x of width w whose top is top.
type pageNoBox struct{ x, top, w float64 }

// flowSheet lays out page 1 as a one-page sheet but for the table rows and
// notes that do not fit, which continue on pages of their own.
func (r *Renderer) flowSheet(sh *shaper, s *Sheet) ([]*page, error) {
	d := &sheetFlow{s: s, p: &page{r: r, sh: sh}}
	for i, f := range r.fonts {
		d.p.use[i] = newUsage(f)
	}
	d.pages = []*page{d.p}

	if err := d.p.heading(s); err != nil {
		return nil, err
	}
	if err := d.p.fields(s.Fields, s.FieldColumns); err != nil {
		return nil, err
	}
	if err := d.bottom(); err != nil {
		return nil, err
	}
	if d.p.y+6 > d.f.cut {
		return nil, tooLow(d.p.y+6, d.f.cut)
	}

	if err := d.table(s.Table); err != nil {
		return nil, err
	}
	if err := d.notes(s.Notes); err != nil {
		return nil, err
	}
	if err := d.numberPages(); err != nil {
		return nil, err
	}
	return d.pages, nil
}

// bottom draws the current page's footer and QR code as on page 1, sets
// aside room beside the code for the page number, and sets the space left.
func (d *sheetFlow) bottom() error {
	f, err := d.p.bottom(d.s)
	if err != nil {
		return err
	}
	box := pageNoBox{x: f.left, w: pageW - margin - f.left}
	box.top = f.end - 2*pageNoStyle.size*lineGap
	f.end = box.top - 4
	f.cut = min(f.cut, f.end)
	d.f = f
	d.boxes = append(d.boxes, box)
	return nil
}

// nextPage starts a continuation page: a small heading naming the sheet
// and its number, the footer and the QR code.
func (d *sheetFlow) nextPage() error {
	prev := d.p
	d.p = &page{r: prev.r, sh: prev.sh, use: prev.use}
	d.pages = append(d.pages, d.p)
	d.fresh = true

	d.p.y = margin
	if err := d.p.para(joinDot(d.s.Title, continuedAr), contTitleStyle,
		alignCenter); err != nil {
		return err
	}
	en := joinDot(d.s.TitleEn, continuedEn)
	if len(d.s.QRCaption) > 0 {
		en = joinDot(en, d.s.QRCaption[0])
	}
	if err := d.p.para(en, contTitleEnStyle, alignCenter); err != nil {
		return err
	}
	d.p.y += 3
	d.p.c.gray(0)
	d.p.c.hline(margin, pageW-margin, d.p.y, 0.8)
	d.p.y += 6
	return d.bottom()
}

func joinDot(a, b string) string {
	if a == "" {
		return b
	}
	return a + " · " + b
}

// table draws t's rows on as many pages as they need, never splitting a
// row, with the header row at the top of the table on every page and the
// total after the last row.
func (d *sheetFlow) table(t *Table) error {
	ncol := columns(t)
	if ncol == 0 {
		return nil
	}
	colW := contentW / float64(ncol)
	head, err := d.p.shapeRow(t.Headers, headStyle, colW)
	if err != nil {
		return err
	}

	body := t.Rows
	if len(t.Total) > 0 {
		body = append(body[:len(body):len(body)], t.Total)
	}
	top := -1.0 // the table's top on the current page, once it is begun there
	for i, cells := range body {
		st := cellStyle
		if len(t.Total) > 0 && i == len(body)-1 {
			st = headStyle
		}
		r, err := d.p.shapeRow(cells, st, colW)
		if err != nil {
			return err
		}

		for {
			need := r.h
			if top < 0 {
				need += 10 + head.h
			}
			if d.p.y+need+6 <= d.f.cut {
				break
			}
			if d.fresh {
				return tooLong(fmt.Sprintf("table row %d is taller than a page", i+1))
			}
			if top >= 0 {
				d.p.tableSides(top, ncol, colW)
				top = -1
			}
			if err := d.nextPage(); err != nil {
				return err
			}
		}

		if top < 0 {
			top = d.p.tableTop()
			d.p.drawRow(head, colW)
		}
		d.p.drawRow(r, colW)
		d.fresh = false
	}
	if top >= 0 {
		d.p.tableSides(top, ncol, colW)
	}
	return nil
}

// notes draws the paragraphs after the table as one page does, moving a
// paragraph that does not fit to the next page whole.
func (d *sheetFlow) notes(notes []string) error {
	if len(notes) > 0 {
		d.p.y += 4
	}
	for _, n := range notes {
		for {
			y := d.p.y
			d.p.y += 4
			err := d.p.note(n, noteStyle, d.f)
			if err == nil {
				break
			}
			if sijil.KindOf(err) != sijil.TooLarge || d.fresh {
				return err
			}
			d.p.y = y
			if err := d.nextPage(); err != nil {
				return err
			}
		}
		d.fresh = false
	}
	return nil
}

// numberPages draws "page n of m" in every page's box, now that m is known.
func (d *sheetFlow) numberPages() error {
	for i, p := range d.pages {
		box := d.boxes[i]
		y := box.top
		for _, text := range []string{
			fmt.Sprintf(pageOfAr, i+1, len(d.pages)),
			fmt.Sprintf(pageOfEn, i+1, len(d.pages)),
		} {
			b, err := p.shape(text, pageNoStyle, box.w)
			if err != nil {
				return err
			}
			p.draw(b, box.x, y, box.w, alignRight)
			y += b.height()
		}
	}
	return nil
}
