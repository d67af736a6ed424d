package render

import (
	"fmt"
	"strings"
)

// ImagePage is an archived page image printed on a page of its own, scaled
// to fit above a stamp: the QR code with lines of text beside it.
type ImagePage struct {
	PNG      []byte   // the page image; 1-bit, grey and colour PNGs are kept as they are
	QRText   string   // encoded in the stamp's QR code
	QRSizeMM float64  // side of the QR symbol; 0 means 30
	QRLevel  QRLevel  // error correction; the zero value is QRMedium
	Stamp    []string // lines beside the QR code, e.g. "page 2 of 5"
}

// Document renders the cover sheet, on as many pages as Sheet would,
// followed by one page per image, as one PDF. The fonts are embedded once,
// with the glyphs of every page. Errors are those of Sheet, and an Invalid
// error for an image that is not a PNG.
func (r *Renderer) Document(cover Sheet, images ...ImagePage) ([]byte, error) {
	sh := r.shaper()
	defer r.pool.Put(sh)

	pages, err := r.sheetPages(sh, &cover)
	if err != nil {
		return nil, err
	}
	for i, img := range images {
		p := &page{r: r, sh: sh, use: pages[0].use}
		if err := p.imagePage(img); err != nil {
			return nil, fmt.Errorf("page image %d: %w", i+1, err)
		}
		pages = append(pages, p)
	}
	return writePDF(pages)
}

// writePDF writes the pages, their images and the fonts they use.
func writePDF(pages []*page) ([]byte, error) {
	f := newPDFFile()
	var used [2][2]bool
	for _, p := range pages {
		for face := range used {
			for rtl := range used[face] {
				used[face][rtl] = used[face][rtl] || p.c.fonts[face][rtl]
			}
		}
	}
	fonts := ""
	for i, variants := range used {
		if !variants[0] && !variants[1] {
			continue
		}
		objs, err := f.font(pages[0].use[i], variants)
		if err != nil {
			return nil, err
		}
		for rtl, n := range objs {
			if n != 0 {
				fonts += fmt.Sprintf(" /%s %d 0 R", fontRes(i, rtl == 1), n)
			}
		}
	}

	parent := f.reserve()
	kids := make([]string, 0, len(pages))
	for _, p := range pages {
		xobjects := ""
		for i, img := range p.images {
			n, err := f.image(img)
			if err != nil {
				return nil, err
			}
			xobjects += fmt.Sprintf(" /Im%d %d 0 R", i, n)
		}
		if xobjects != "" {
			xobjects = " /XObject <<" + xobjects + ">>"
		}
		content, err := f.stream("", p.c.b.Bytes())
		if err != nil {
			return nil, err
		}
		pg := f.object(fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] "+
			"/Resources <</Font <<%s>>%s>> /Contents %d 0 R>>",
			parent, num(pageW), num(pageH), fonts, xobjects, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", pg))
	}
	f.objectAt(parent, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>",
		strings.Join(kids, " "), len(kids)))
	root := f.object(fmt.Sprintf("<</Type /Catalog /Pages %d 0 R /Lang (ar)>>", parent))
	return f.finish(root), nil
}

// stampGap separates the image from the stamp under it.
const stampGap = 8.0

// imagePage lays out an image page: the stamp at the foot, the QR code on
// the left and its lines on the right, and the image above it, as large as
// the page allows at its own proportions, centred, with a hairline frame.
func (p *page) imagePage(ip ImagePage) error {
	img, err := parsePNG(ip.PNG)
	if err != nil {
		return err
	}
	p.images = append(p.images, img)

	limit := pageH - margin
	top, left := limit, margin
	if ip.QRText != "" {
		s := Sheet{QRText: ip.QRText, QRSizeMM: ip.QRSizeMM, QRLevel: ip.QRLevel}
		if top, left, err = p.qr(&s, limit); err != nil {
			return err
		}
	}
	if top, err = p.stamp(ip.Stamp, top, limit, left); err != nil {
		return err
	}

	boxW, boxH := contentW, top-stampGap-margin
	k := min(boxW/float64(img.width), boxH/float64(img.height))
	w, h := float64(img.width)*k, float64(img.height)*k
	x, y := margin+(boxW-w)/2, margin+(boxH-h)/2
	p.c.image(0, x, y, w, h)
	p.c.gray(0.6)
	p.c.frame(x, y, w, h, thinRule)
	return nil
}

// stamp draws lines right-aligned between left and the margin, centred
// between top and bottom, and returns the top of the stamp; a stamp
// without a QR code sits on the bottom margin across the page.
func (p *page) stamp(lines []string, top, bottom, left float64) (float64, error) {
	w := pageW - margin - left
	blocks := make([]block, 0, len(lines))
	h := 0.0
	for _, text := range lines {
		b, err := p.shape(text, valueStyle, w)
		if err != nil {
			return 0, err
		}
		blocks = append(blocks, b)
		h += b.height()
	}
	if top == bottom {
		top = bottom - h
	}
	y := (top + bottom - h) / 2
	for _, b := range blocks {
		p.draw(b, left, y, w, alignRight)
		y += b.height()
	}
	return min(top, (top+bottom-h)/2), nil
}
