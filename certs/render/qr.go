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
// caption above it in the bottom-left corner, then checks that the content
// above ends clear of them.
func (p *page) bottom(s *Sheet) error {
	limit := pageH - margin
	if s.Footer != "" {
		f, err := p.shape(s.Footer, smallStyle, contentW)
		if err != nil {
			return err
		}
		limit -= f.height()
		p.draw(f, margin, limit, contentW, alignCenter)
		limit -= 6
	}

	if s.QRText != "" {
		top, err := p.qr(s, limit)
		if err != nil {
			return err
		}
		limit = top
	}

	if p.y+6 > limit {
		return tooLong(fmt.Sprintf("content ends %.0f mm too low", (p.y+6-limit)/mm))
	}
	return nil
}

// qr draws the code and its caption with the caption's last line ending at
// limit, and returns the top of the code's quiet zone.
func (p *page) qr(s *Sheet, limit float64) (float64, error) {
	level, err := s.QRLevel.lib()
	if err != nil {
		return 0, err
	}
	code, err := qrcode.New(s.QRText, level)
	if err != nil {
		return 0, sijil.Errorf(sijil.TooLarge, "render.qr_too_long",
			"render: QR text of %d bytes: %w", len(s.QRText), err)
	}
	code.DisableBorder = false
	bits := code.Bitmap() // includes the quiet zone

	var caption []block
	captionH := 0.0
	for _, text := range s.QRCaption {
		b, err := p.shape(text, smallStyle, contentW/2)
		if err != nil {
			return 0, err
		}
		caption = append(caption, b)
		captionH += b.height()
	}

	sizeMM := s.QRSizeMM
	if sizeMM <= 0 {
		sizeMM = defaultQRSizeMM
	}
	module := sizeMM * mm / float64(len(bits)-2*quietModules)
	y := limit - captionH
	for _, b := range caption {
		p.draw(b, margin, y, contentW/2, alignStart)
		y += b.height()
	}

	// The symbol's left edge sits on the margin; its quiet zone is blank
	// paper reaching into the margin and down to the caption.
	top := limit - captionH - float64(len(bits))*module
	p.modules(bits, margin-quietModules*module, top, module)
	return top, nil
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
