package archive

import (
	"context"
	"encoding/binary"
	"errors"
	"image"
	"io"

	"golang.org/x/image/tiff"

	"github.com/sijil-municipality/sijil"
)

// tiffPages lists the frames of a (multi-page) TIFF. golang.org/x/image/tiff
// decodes only the first IFD, so frame k is decoded by showing the decoder
// the same bytes with the header's IFD offset pointing at frame k.
func tiffPages(ra io.ReaderAt, size int64, lim Limits) ([]pageSource, error) {
	order, ifds, err := walkIFDs(ra, size, lim.MaxPages)
	if err != nil {
		return nil, err
	}

	pages := make([]pageSource, len(ifds))
	for i, off := range ifds {
		fr := newFrameReader(ra, order, off)
		cfg, err := tiff.DecodeConfig(fr)
		if err != nil {
			return nil, damaged(MediaTIFF, i+1, err)
		}
		number := i + 1
		decode := func(context.Context) (image.Image, error) {
			img, err := tiff.Decode(newFrameReader(ra, order, off))
			if err != nil {
				return nil, damaged(MediaTIFF, number, err)
			}
			return img, nil
		}
		pages[i] = pageSource{number: number, width: cfg.Width, height: cfg.Height,
			model: cfg.ColorModel, decode: decode}
	}
	return pages, nil
}

// walkIFDs follows the chain of image file directories and returns their
// offsets. It stops with TooLarge past maxPages and refuses a chain that
// loops or points outside the file.
func walkIFDs(ra io.ReaderAt, size int64, maxPages int) (binary.ByteOrder, []uint32, error) {
	var hdr [8]byte
	if _, err := ra.ReadAt(hdr[:], 0); err != nil {
		return nil, nil, damaged(MediaTIFF, 1, err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if hdr[0] == 'M' {
		order = binary.BigEndian
	}

	var ifds []uint32
	seen := map[uint32]bool{}
	for off := order.Uint32(hdr[4:8]); off != 0; {
		if seen[off] || int64(off)+2 > size {
			return nil, nil, damaged(MediaTIFF, len(ifds)+1,
				errors.New("the chain of pages is broken"))
		}
		if len(ifds) == maxPages {
			return nil, nil, tooManyPages(maxPages)
		}
		seen[off] = true
		ifds = append(ifds, off)

		var n [2]byte
		if _, err := ra.ReadAt(n[:], int64(off)); err != nil {
			return nil, nil, damaged(MediaTIFF, len(ifds), err)
		}
		var next [4]byte
		nextAt := int64(off) + 2 + 12*int64(order.Uint16(n[:]))
		if _, err := ra.ReadAt(next[:], nextAt); err != nil {
			return nil, nil, damaged(MediaTIFF, len(ifds), err)
		}
		off = order.Uint32(next[:])
	}
	return order, ifds, nil
}

func tooManyPages(limit int) error {
	return sijil.Errorf(sijil.TooLarge, "archive.too_many_pages",
		"the file has more than %d pages; split it into smaller files", limit)
}

// frameReader reads a TIFF file as if its header pointed at another IFD.
type frameReader struct {
	ra  io.ReaderAt
	hdr [8]byte
	off int64
}

func newFrameReader(ra io.ReaderAt, order binary.ByteOrder, ifd uint32) *frameReader {
	fr := &frameReader{ra: ra}
	if order == binary.BigEndian {
		copy(fr.hdr[:4], "MM\x00*")
	} else {
		copy(fr.hdr[:4], "II*\x00")
	}
	order.PutUint32(fr.hdr[4:], ifd)
	return fr
}

func (fr *frameReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := fr.ra.ReadAt(p, off)
	for i := 0; i < n && off+int64(i) < int64(len(fr.hdr)); i++ {
		p[i] = fr.hdr[off+int64(i)]
	}
	return n, err
}

func (fr *frameReader) Read(p []byte) (int, error) {
	n, err := fr.ReadAt(p, fr.off)
	fr.off += int64(n)
	return n, err
}
