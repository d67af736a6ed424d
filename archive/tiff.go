package archive

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/image/tiff"

	"github.com/sijil-municipality/sijil"
)

// tiffPages lists the frames of a (multi-page) TIFF in f. golang.org/x/image/tiff
// decodes only the first IFD, so frame k is decoded by showing the decoder
// the same bytes with the header's IFD offset pointing at frame k.
//
// Scanners also write TIFFs that decoder does not read: CCITT G3 (fax),
// JPEG-compressed, CMYK or planar frames. Those it calls unsupported, and
// a G3 frame makes its CCITT reader fail; such a frame is read by libvips
// instead, which writes it as PNG in tmp. A frame libvips cannot read
// either is damaged.
func tiffPages(ctx context.Context, f *os.File, size int64, lim Limits, tmp string) (
	[]pageSource, error) {
	order, ifds, err := walkIFDs(f, size, lim.MaxPages)
	if err != nil {
		return nil, err
	}

	pages := make([]pageSource, len(ifds))
	for i, off := range ifds {
		number := i + 1
		cfg, err := tiff.DecodeConfig(newFrameReader(f, order, off))
		if unsupported(err) {
			cfg, err = vipsConfig(ctx, f.Name(), number)
		}
		if err != nil {
			return nil, damaged(MediaTIFF, number, err)
		}
		planar := isPlanar(f, order, off)
		decode := func(ctx context.Context) (image.Image, error) {
			if g4, ok := decodeBilevel(f, order, off, cfg.Width, cfg.Height); ok {
				return g4, nil
			}
			var img image.Image
			var err error = tiff.UnsupportedError("planar configuration")
			if !planar { // which the decoder misreads as truncated
				img, err = tiff.Decode(newFrameReader(f, order, off))
			}
			if unsupported(err) {
				// The frame's own size: vipsthumbnail only copies it.
				img, err = shrink(ctx, f.Name(), MediaTIFF, number, cfg.Width, cfg.Height, tmp)
			}
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

// unsupported reports a frame golang.org/x/image/tiff will not read though
// it may well be whole: a feature it lacks, or CCITT G3.
func unsupported(err error) bool {
	var ue tiff.UnsupportedError
	return errors.As(err, &ue) || err != nil && strings.HasPrefix(err.Error(), "ccitt:")
}

// isPlanar reports whether the frame whose IFD is at off stores each
// colour in a plane of its own (PlanarConfiguration 2).
func isPlanar(ra io.ReaderAt, order binary.ByteOrder, off uint32) bool {
	var n [2]byte
	if _, err := ra.ReadAt(n[:], int64(off)); err != nil {
		return false
	}
	entries := make([]byte, 12*int(order.Uint16(n[:])))
	if _, err := ra.ReadAt(entries, int64(off)+2); err != nil {
		return false
	}
	for e := entries; len(e) >= 12; e = e[12:] {
		const tagPlanarConfig, typeShort = 284, 3
		if order.Uint16(e) == tagPlanarConfig && order.Uint16(e[2:]) == typeShort {
			return order.Uint16(e[8:]) == 2
		}
	}
	return false
}

// vipsConfig reads the size of frame n (from 1) of the TIFF at path with
// vipsheader, for a frame golang.org/x/image/tiff does not read. A hostile
// file gets the tools' time limit, as every other tool call does.
func vipsConfig(ctx context.Context, path string, n int) (image.Config, error) {
	tctx, cancel := withToolTimeout(ctx)
	defer cancel()
	in := path + "[page=" + strconv.Itoa(n-1) + "]"
	var size [2]int
	for i, field := range []string{"width", "height"} {
		out, err := exec.CommandContext(tctx, "vipsheader", "-f", field, in).Output()
		if err == nil {
			size[i], err = strconv.Atoi(strings.TrimSpace(string(out)))
		}
		if err != nil {
			return image.Config{}, fmt.Errorf("vipsheader %s: %w", field, err)
		}
	}
	return image.Config{Width: size[0], Height: size[1]}, nil
}

// decodeFirstFrame decodes the first frame of the TIFF in ra, by the
// bi-level fast path when it is one of w × h pixels. A frame of another
// size is an error: the limits were checked on w × h.
func decodeFirstFrame(ra io.ReaderAt, w, h int) (image.Image, error) {
	var hdr [8]byte
	if _, err := ra.ReadAt(hdr[:], 0); err != nil {
		return nil, err
	}
	var order binary.ByteOrder = binary.LittleEndian
	if hdr[0] == 'M' {
		order = binary.BigEndian
	}
	if img, ok := decodeBilevel(ra, order, order.Uint32(hdr[4:]), w, h); ok {
		return img, nil
	}

	cfg, err := tiff.DecodeConfig(io.NewSectionReader(ra, 0, math.MaxInt64))
	if err != nil {
		return nil, err
	}
	if cfg.Width != w || cfg.Height != h {
		return nil, fmt.Errorf("archive: the frame is %d × %d, not %d × %d", cfg.Width,
			cfg.Height, w, h)
	}
	return tiff.Decode(io.NewSectionReader(ra, 0, math.MaxInt64))
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
