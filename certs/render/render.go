// Package render draws certificates as A4 PDFs in shaped Arabic with
// English: a sheet, on continuation pages when its table is long,
// optionally followed by stamped page images.
// Text is shaped with go-text/typesetting (bidi, script runs, HarfBuzz,
// line wrapping) and written glyph by glyph through an embedded
// subset of Amiri, with a ToUnicode map so that copying and pdftotext give
// the text back in logical order.
package render

import (
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

// Sheet renders s as a PDF: one A4 page, or, when the table or the notes
// do not fit there, continuation pages that repeat the title, the table's
// header row and the QR code, every page numbered. It fails with an
// Invalid error when a character has no glyph in the font, and with a
// TooLarge error when the heading and fields do not fit the first page, or
// a table row or a note does not fit a page of its own.
func (r *Renderer) Sheet(s Sheet) ([]byte, error) {
	return r.Document(s)
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
