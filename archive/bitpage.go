package archive

import (
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"math"
	"math/bits"
)

// bitPage is a page of black and white packed a bit a pixel as a PBM holds
// it: rows of whole bytes, a 1 bit for black, the first pixel in the high
// bit, and 8 bytes more a row for copyBits to read and write words past a
// row's last pixel. A page levelled for Tesseract is levelled so: an eighth
// of the bytes of its image fits the processor's caches, where the image's
// own pixels had each run wait on memory (a 300-dpi page levelled in
// 8 ms against 14-15).
type bitPage struct {
	bits          []byte
	stride        int // bytes a row, padding included
	width, height int
}

// rowBytes is the bytes of a row that hold its pixels.
func (p *bitPage) rowBytes() int { return (p.width + 7) / 8 }

// newBitPage makes an all-white bit page of w × h pixels in the bytes of
// into when they are enough.
func newBitPage(w, h int, into []byte) *bitPage {
	p := &bitPage{stride: (w+7)/8 + 8, width: w, height: h}
	n := p.stride * h
	if cap(into) >= n {
		p.bits = into[:n]
		clear(p.bits)
	} else {
		p.bits = make([]byte, n)
	}
	return p
}

// packPage packs a page of normalise's black and white into a bit page.
func packPage(img *image.Paletted, into []byte) *bitPage {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	p := newBitPage(w, h, into)
	for y := range h {
		line, row := img.Pix[y*img.Stride:][:w], p.bits[y*p.stride:]
		x := 0
		for ; x+8 <= w; x += 8 {
			// Eight indexes, 1 for white, flipped to 1 for black, one to a
			// byte; the multiplication brings byte k's bit to bit 63-k, with
			// nothing to carry into the top byte, which is then the eight
			// pixels in order.
			ink := binary.LittleEndian.Uint64(line[x:]) ^ lowBits
			row[x/8] = byte(ink * 0x8040201008040201 >> 56)
		}
		for k, v := range line[x:] {
			row[x/8] |= (1 - v) << (7 - k)
		}
	}
	return p
}

// inkCells finds the dark cells of the page's downscaled copy, f × f
// pixels a cell, cols by rows cells, as inkCells does on the page's image:
// a cell is dark where more than 127/255 of its pixels are black, which is
// where its whites times 255 fall short of 128·f². Packed, the page is an
// eighth of the bytes to read, and where f divides twelve its blacks are
// counted twelve pixels at a time by a table (a 300-dpi page is searched
// for its skew, packing included, in 6-8 ms against 15 on its bytes);
// other cells are counted one by one.
func (p *bitPage) inkCells(f, cols, rows int) []image.Point {
	var ink []image.Point
	dark := func(n int) bool { return 255*n > 127*f*f }
	if f < len(chunkCells) && chunkCells[f] != nil {
		k := 12 / f
		sums := make([]uint64, (cols+k-1)/k+1)
		for r := range rows {
			ink = darkChunks(ink, r, cols, p.bits[r*f*p.stride:], p.stride, f, sums, dark)
		}
		return ink
	}

	blacks := make([]int, cols)
	for r := range rows {
		countCells(blacks, p.bits[r*f*p.stride:], p.stride, f)
		for c, n := range blacks {
			if dark(n) {
				ink = append(ink, image.Pt(c, r))
			}
		}
	}
	return ink
}

// chunkCells[f], for the cell widths f that divide twelve, gives for each
// twelve pixels of a packed row the blacks of each of its 12/f cells, a
// count a byte, the leftmost cell's in the lowest. The counts of f rows of
// cells up to 6 pixels across stay below 256 in their byte.
// (Cells a pixel across would be twelve to a chunk, more than its bytes.)
var chunkCells = func() (t [7]*[4096]uint64) {
	for _, f := range []int{2, 3, 4, 6} {
		tab := new([4096]uint64)
		for v := range tab {
			for j := range 12 / f {
				cell := v >> (12 - f*(j+1)) & (1<<f - 1)
				tab[v] |= uint64(bits.OnesCount(uint(cell))) << (8 * j)
			}
		}
		t[f] = tab
	}
	return t
}()

// darkChunks appends to ink the dark cells of row r of cells, the band of
// f rows from band on, their blacks counted by the table for f, twelve
// pixels at a time, two chunks in three bytes, into sums, one a chunk and
// one spare. The reads past a row's last pixel fall in its padding; the
// cells past the last whole one are dropped. Most chunks of a page are
// blank, and are passed over.
func darkChunks(ink []image.Point, r, cols int, band []byte, stride, f int,
	sums []uint64, dark func(blacks int) bool) []image.Point {
	tab, k := chunkCells[f], 12/f
	chunks := len(sums) - 1
	clear(sums)
	for dy := range f {
		row := band[dy*stride:][:stride]
		for ch, i := 0, 0; ch < chunks; ch, i = ch+2, i+3 {
			b0, b1, b2 := uint(row[i]), uint(row[i+1]), uint(row[i+2])
			sums[ch] += tab[b0<<4|b1>>4]
			sums[ch+1] += tab[(b1&15)<<8|b2]
		}
	}
	for ch, v := range sums[:chunks] {
		for c := ch * k; v != 0 && c < cols; c, v = c+1, v>>8 {
			if dark(int(v & 0xff)) {
				ink = append(ink, image.Pt(c, r))
			}
		}
	}
	return ink
}

// countCells sets blacks to the black pixels of each cell of the band of
// f rows from band on, a cell of a row at a time.
func countCells(blacks []int, band []byte, stride, f int) {
	clear(blacks)
	for dy := range f {
		row := band[dy*stride:][:stride]
		for c := range blacks {
			blacks[c] += countBits(row, c*f, f)
		}
	}
}

// countBits counts the 1 bits of n bits of row from bit s on, up to 56 at
// a step as copyBits reads them.
func countBits(row []byte, s, n int) int {
	count := 0
	for n > 0 {
		k := min(n, 56)
		v := binary.BigEndian.Uint64(row[s/8:]) << (s % 8) >> (64 - k)
		count += bits.OnesCount64(v)
		n, s = n-k, s+k
	}
	return count
}

// levelBits is deskew for a bit page, into the bytes of into when they are
// enough: the same pixels as deskew makes of the page's image (bi-level
// pages take the nearest pixel), in runs as there, copied a word at a
// time. A turn too slight for runs is done pixel by pixel.
func levelBits(src *bitPage, deg float64, into []byte) *bitPage {
	w, h := src.width, src.height
	dst := newBitPage(w, h, into)
	t := newTurn(w, h, deg)
	if !t.runs() {
		for y := range h {
			dy := float64(y) - t.cy
			rowX, rowY := float64(dy*t.sin), float64(dy*t.cos)
			for x := range w {
				ix := int(math.Round(t.colX[x] - rowX))
				iy := int(math.Round(t.colY[x] + rowY))
				if uint(ix) < uint(w) && uint(iy) < uint(h) &&
					src.bits[iy*src.stride+ix/8]&(0x80>>(ix%8)) != 0 {
					dst.bits[y*dst.stride+x/8] |= 0x80 >> (x % 8)
				}
			}
		}
		return dst
	}

	// Row by row, unlike deskew's strips of a page's bytes: a packed row
	// is a few cache lines, and its source rows stay in the caches (a
	// 300-dpi page levelled and written in 9-11 ms against 12-13 in
	// strips of 512 columns).
	for y := range h {
		r := t.row(y)
		line := dst.bits[y*dst.stride:][:dst.stride]
		r.runs(0, w, func(x, n, ix, iy int) {
			copyBits(line, x, src.bits[iy*src.stride:][:src.stride], ix, n)
		}, func(int) {}) // white, as the page began
	}
	return dst
}

// copyBits copies n bits of src from bit s on over those of dst from bit
// t on, up to 56 at a step: a word read from s's byte holds at least 57
// of them from s on once shifted, and a word read from t's byte has room
// for as many. Both rows have 8 bytes of padding for the words read past
// their last pixel.
func copyBits(dst []byte, t int, src []byte, s, n int) {
	for n > 0 {
		k := min(n, 56)
		keep := ^uint64(0) << (64 - k) // the top k bits
		v := binary.BigEndian.Uint64(src[s/8:]) << (s % 8) & keep
		o := t % 8
		d := binary.BigEndian.Uint64(dst[t/8:])
		binary.BigEndian.PutUint64(dst[t/8:], d&^(keep>>o)|v>>o)
		n, s, t = n-k, s+k, t+k
	}
}

// writeBitPage writes rows top to bottom-1 of a bit page to path as a
// binary PBM (P4).
func writeBitPage(p *bitPage, top, bottom int, path string) error {
	return writeOCRFile(path, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "P4\n%d %d\n", p.width, bottom-top)
		for y := top; y < bottom && err == nil; y++ {
			_, err = w.Write(p.bits[y*p.stride:][:p.rowBytes()])
		}
		return err
	})
}
