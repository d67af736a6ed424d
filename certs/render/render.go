// Package render draws certificates as one-page A4 PDFs in shaped Arabic
// with English. Text is shaped with go-text/typesetting (bidi, script runs,
// HarfBuzz, line wrapping) and written glyph by glyph through an embedded
// subset of Amiri, with a ToUnicode map so that copying and pdftotext give
// the text back in logical order.
package render

import (
	"fmt"
	"sync"

	"github.com/go-text/typesetting/font"
)

// Renderer holds the parsed fonts. It is safe for concurrent use; build one
// at start and share it.
type Renderer struct {
	fonts [2]*fontFile // regular, bold
	pool  sync.Pool    // of *shaper
}

const (
	regular = 0
	bold    = 1
)

// New parses the fonts at the given paths. An empty path means the Amiri
// face that FindFonts finds on the system.
func New(fontRegular, fontBold string) (*Renderer, error) {
	if fontRegular == "" || fontBold == "" {
		reg, b, err := FindFonts()
		if err != nil {
			return nil, err
		}
		if fontRegular == "" {
			fontRegular = reg
		}
		if fontBold == "" {
			fontBold = b
		}
	}

	r := &Renderer{}
	for i, path := range []string{fontRegular, fontBold} {
		f, err := loadFont(path)
		if err != nil {
			return nil, err
		}
		r.fonts[i] = f
	}
	return r, nil
}

// FontPaths returns the files the Renderer draws with, for the start log.
func (r *Renderer) FontPaths() (regular, bold string) {
	return r.fonts[0].path, r.fonts[1].path
}

// Sheet is one certificate page: Arabic first, with English.
type Sheet struct {
	Header  []string // issuer lines at the top, centred
	Title   string   // Arabic title, large and bold
	TitleEn string   // English title under it
	Fields  []Field  // label and value rows, labels on the right
	// FieldColumns is how many fields share a row: 0 or 1 for one per
	// row, 2 for pairs side by side, the first of each pair on the right.
	FieldColumns int
	Table        *Table   // optional table, e.g. the floors of a building
	Notes        []string // paragraphs wrapped to the page width
	QRText       string   // encoded in the QR code; empty draws none
	QRSizeMM     float64  // side of the QR symbol without its quiet zone; 0 means 30
	QRLevel      QRLevel  // error correction; the zero value is QRMedium
	QRCaption    []string // small lines under the QR code
	Footer       string   // small line at the bottom of the page
}

// Field is one labelled value. Label is Arabic, LabelEn its English
// translation shown small under it.
type Field struct{ Label, LabelEn, Value string }

// Table is a bordered table. Headers and each row list cells in reading
// order (the first cell is drawn on the right); Total, when set, is a last
// row in bold.
type Table struct {
	Headers []string
	Rows    [][]string
	Total   []string
}

// Sheet renders s as a complete one-page PDF. It fails with an Invalid
// error when a character has no glyph in the font, and with a TooLarge
// error when the content does not fit one A4 page.
func (r *Renderer) Sheet(s Sheet) ([]byte, error) {
	sh := r.shaper()
	defer r.pool.Put(sh)

	p := &page{r: r, sh: sh}
	for i, f := range r.fonts {
		p.use[i] = newUsage(f)
	}
	if err := p.layout(&s); err != nil {
		return nil, err
	}
	return p.pdf()
}

func (r *Renderer) shaper() *shaper {
	if sh, ok := r.pool.Get().(*shaper); ok {
		return sh
	}
	sh := &shaper{}
	for i, f := range r.fonts {
		sh.faces[i] = font.NewFace(f.font)
	}
	return sh
}

// pdf writes the page and the fonts it uses.
func (p *page) pdf() ([]byte, error) {
	f := newPDFFile()
	fonts := ""
	for i, used := range p.c.fonts {
		if !used[0] && !used[1] {
			continue
		}
		objs, err := f.font(p.use[i], used)
		if err != nil {
			return nil, err
		}
		for rtl, n := range objs {
			if n != 0 {
				fonts += fmt.Sprintf(" /%s %d 0 R", fontRes(i, rtl == 1), n)
			}
		}
	}

	content, err := f.stream("", p.c.b.Bytes())
	if err != nil {
		return nil, err
	}
	pages := f.next() + 1
	pg := f.object(fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] "+
		"/Resources <</Font <<%s>>>> /Contents %d 0 R>>",
		pages, num(pageW), num(pageH), fonts, content))
	f.object(fmt.Sprintf("<</Type /Pages /Kids [%d 0 R] /Count 1>>", pg))
	root := f.object(fmt.Sprintf("<</Type /Catalog /Pages %d 0 R /Lang (ar)>>", pages))
	return f.finish(root), nil
}
