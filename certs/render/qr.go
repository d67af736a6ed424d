package render

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/sijil-municipality/sijil"
)

// QRLevel is the error correction level of the QR code. Higher levels
// survive more damage (stamps, folds) at the cost of denser modules.
type QRLevel int

// The error correction levels. QRMedium, the zero value, restores about
// 15% of the code, a fair balance for a 30 mm code on a photocopy.
const (
	QRMedium   QRLevel = iota // about 15% recoverable
	QRLow                     // about 7%; for long texts in small codes
	QRQuartile                // about 25%
	QRHigh                    // about 30%
)

const (
	defaultQRSizeMM = 30
	quietModules    = 4 // the quiet zone ISO/IEC 18004 requires on each side
)

func (l QRLevel) lib() (qrcode.RecoveryLevel, error) {
	switch l {
	case QRMedium:
		return qrcode.Medium, nil
	case QRLow:
		return qrcode.Low, nil
	case QRQuartile:
		return qrcode.High, nil // go-qrcode calls Q "High"
	case QRHigh:
		return qrcode.Highest, nil
	}
	return 0, fmt.Errorf("render: unknown QR level %d", l)
}

// bottom draws the footer at the foot of the page and the QR code with its
// caption above it in the bottom-left corner, and returns the space left
// for the notes: above the QR block and beside it.
func (p *page) bottom(s *Sheet) (flow, error) {
	limit := pageH - margin
	if s.Footer != "" {
		f, err := p.shape(s.Footer, smallStyle, contentW)
		if err != nil {
			return flow{}, err
		}
		limit -= f.height()
		p.draw(f, margin, limit, contentW, alignCenter)
		limit -= 6
	}

	f := flow{cut: limit, end: limit, left: margin}
	if s.QRText == "" {
		return f, nil
	}
	var err error
	f.cut, f.left, err = p.qr(s, limit)
	return f, err
}

// qr draws the code and its caption with the caption's last line ending at
// limit, and returns the top of the code's quiet zone and the left edge of
// the text beside it.
func (p *page) qr(s *Sheet, limit float64) (top, beside float64, err error) {
	bits, err := qrBits(s)
	if err != nil {
		return 0, 0, err
	}
	caption, captionH, captionW, err := p.caption(s.QRCaption)
	if err != nil {
		return 0, 0, err
	}

	sizeMM := s.QRSizeMM
	if sizeMM <= 0 {
		sizeMM = defaultQRSizeMM
	}
	side := sizeMM * mm
	module := side / float64(len(bits)-2*quietModules)
	y := limit - captionH
	for _, b := range caption {
		p.draw(b, margin, y, max(side, p.width(b)), alignCenter)
		y += b.height()
	}

	// The symbol's left edge sits on the margin; its quiet zone is blank
	// paper reaching into the margin and down to the caption, and the text
	// beside it keeps clear of both.
	top = limit - captionH - float64(len(bits))*module
	p.modules(bits, margin-quietModules*module, top, module)
	right := max(margin+captionW, margin+side+quietModules*module)
	return top, right + colGap, nil
}

// qrBits encodes s.QRText, its quiet zone included.
func qrBits(s *Sheet) ([][]bool, error) {
	level, err := s.QRLevel.lib()
	if err != nil {
		return nil, err
	}
	code, err := qrcode.New(s.QRText, level)
	if err != nil {
		return nil, sijil.Errorf(sijil.TooLarge, "render.qr_too_long",
			"render: QR text of %d bytes: %w", len(s.QRText), err)
	}
	code.DisableBorder = false
	return code.Bitmap(), nil
}

// caption shapes the lines under the QR code, each up to half the page
// wide, and returns them with their total height and widest line.
func (p *page) caption(lines []string) (bs []block, h, w float64, err error) {
	for _, text := range lines {
		b, err := p.shape(text, smallStyle, contentW/2)
		if err != nil {
			return nil, 0, 0, err
		}
		bs = append(bs, b)
		h += b.height()
		w = max(w, p.width(b))
	}
	return bs, h, w, nil
}

// modules fills the dark modules, one rectangle per horizontal run, which
// keeps the content stream small and leaves no hairline gaps between
// neighbours when rasterised.
func (p *page) modules(bits [][]bool, x, y, module float64) {
	p.c.gray(0)
	for row, line := range bits {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			end := col
			for end < len(line) && line[end] {
				end++
			}
			p.c.rect(x+float64(col)*module, y+float64(row)*module,
				float64(end-col)*module, module)
			col = end
		}
	}
	p.c.fill()
}
