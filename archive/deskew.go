package archive

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// Skew search. Office scanners feed pages a few degrees askew at most; a
// page skewed more was placed by hand and is better scanned again. The
// coarse steps find the peak, the fine ones place it within a tenth of a
// degree, which is what the deskewed image's lines need to look level.
const (
	maxSkew        = 5.0  // degrees either way
	coarseSkewStep = 0.25 // degrees
	fineSkewStep   = 0.05 // degrees, within one coarse step of the peak
	minSkew        = 0.3  // degrees; a page skewed less is left as scanned
	skewGridWidth  = 1000 // cells across the downscaled copy searched
	minSkewInk     = 200  // dark cells below which a page has too little to tell
)

// estimateSkew returns the slope of the text lines of a page, in degrees
// clockwise (lines falling to the right are positive), to the hundredth,
// or 0 for a page with too little ink to tell.
//
// It is a projection-profile search: on a downscaled, binarised copy,
// the dark cells are summed along parallel lines at each candidate angle,
// and the angle whose sums are the most uneven (the sum of their squares
// is largest) is the one that runs along the text lines rather than
// across them.
func estimateSkew(img image.Image) float64 {
	if p, ok := img.(*image.Paletted); ok && isBlackWhite(p.Palette) {
		return estimateSkewBits(packPage(p, nil))
	}
	return searchSkew(inkCells(img))
}

// estimateSkewBits is estimateSkew for a page of black and white, packed.
func estimateSkewBits(p *bitPage) float64 {
	f, cols, rows := skewCells(p.width, p.height)
	return searchSkew(p.inkCells(f, cols, rows), cols, rows)
}

// searchSkew is the search of estimateSkew over the dark cells of a page's
// downscaled copy, cols by rows cells.
func searchSkew(ink []image.Point, cols, rows int) float64 {
	if len(ink) < minSkewInk {
		return 0
	}

	g := skewGrid{ink: ink, cols: cols, rows: rows}
	best, bestScore := 0.0, g.profileScore(0)
	search := func(from, to, step float64) {
		for a := from; a <= to+step/2; a += step {
			if s := g.profileScore(a); s > bestScore {
				best, bestScore = a, s
			}
		}
	}
	search(-maxSkew, maxSkew, coarseSkewStep)
	search(best-coarseSkewStep, best+coarseSkewStep, fineSkewStep)
	return math.Round(best*100) / 100
}

// skewCells is the size of the copy of a w × h page that the skew is
// searched on: f × f pixels a cell, about skewGridWidth cells across.
func skewCells(w, h int) (f, cols, rows int) {
	f = max(1, (w+skewGridWidth-1)/skewGridWidth)
	return f, w / f, h / f
}

// inkCells returns the dark cells of a copy of img shrunk to about
// skewGridWidth cells across, a cell being dark when its pixels are on
// average darker than mid-grey, and the size of that copy.
func inkCells(img image.Image) (ink []image.Point, cols, rows int) {
	b := img.Bounds()
	f, cols, rows := skewCells(b.Dx(), b.Dy())
	lum := lumaReader(img)

	sums := make([]int, cols)
	row := make([]uint8, b.Dx())
	for r := range rows {
		clear(sums)
		for dy := range f {
			lum(b.Min.Y+r*f+dy, row)
			for c := range cols {
				for _, v := range row[c*f : c*f+f] {
					sums[c] += int(v)
				}
			}
		}
		for c, s := range sums {
			if s < 128*f*f {
				ink = append(ink, image.Pt(c, r))
			}
		}
	}
	return ink, cols, rows
}

// isBlackWhite reports whether a palette is normalise's black and white.
func isBlackWhite(p color.Palette) bool {
	return len(p) == 2 && p[0] == blackWhite[0] && p[1] == blackWhite[1]
}

// skewGrid is the ink of a downscaled page, cols by rows cells, with the
// bins profileScore counts it into, kept from one angle to the next.
type skewGrid struct {
	ink        []image.Point
	cols, rows int
	bins, rise []int
}

// profileScore is the sum of squares of the counts of ink cells along
// lines sloping by deg degrees. The bins reach as far above and below the
// grid as such a line climbs or falls across it (the fine search goes a
// coarse step past maxSkew), so that every cell counts in its own line's
// bin: a cell clamped into an end bin would pile up there and could make
// a false peak.
func (g *skewGrid) profileScore(deg float64) float64 {
	t := math.Tan(deg * math.Pi / 180)
	lift := int(math.Ceil(float64(g.cols-1)*math.Abs(t))) + 1
	n := g.rows + 2*lift
	if cap(g.bins) < n {
		g.bins = make([]int, n)
	}
	bins := g.bins[:n]
	clear(bins)
	// A cell's line is its row, a whole number, plus its column's rise,
	// rounded once per column rather than once per cell.
	if cap(g.rise) < g.cols {
		g.rise = make([]int, g.cols)
	}
	rise := g.rise[:g.cols]
	for x := range rise {
		rise[x] = lift + int(math.Round(-float64(x)*t))
	}
	for _, p := range g.ink {
		bins[p.Y+rise[p.X]]++
	}
	var s float64
	for _, n := range bins {
		s += float64(n) * float64(n)
	}
	return s
}

// lumaReader returns a function that fills row with the luminance of row y
// of img, fast for the three forms normalise returns.
func lumaReader(img image.Image) func(y int, row []uint8) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return func(y int, row []uint8) { copy(row, m.Pix[(y-b.Min.Y)*m.Stride:]) }
	case *image.Paletted:
		lum := paletteLuma(m.Palette)
		return func(y int, row []uint8) {
			for x, i := range m.Pix[(y-b.Min.Y)*m.Stride:][:len(row)] {
				row[x] = lum[i]
			}
		}
	case *image.RGBA:
		return func(y int, row []uint8) {
			px := m.Pix[(y-b.Min.Y)*m.Stride:]
			for x := range row {
				p := px[4*x:]
				row[x] = uint8((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000)
			}
		}
	}
	return func(y int, row []uint8) {
		for x := range row {
			row[x] = color.GrayModel.Convert(img.At(b.Min.X+x, y)).(color.Gray).Y
		}
	}
}

// paletteLuma is the luminance of each colour of a palette.
func paletteLuma(p color.Palette) []uint8 {
	lum := make([]uint8, 256)
	for i, c := range p {
		lum[i] = color.GrayModel.Convert(c).(color.Gray).Y
	}
	return lum
}

// deskew turns a normalised image deg degrees anticlockwise about its
// centre, which levels lines that slope deg degrees clockwise, on a canvas
// of the same size with white where the corners come in. Grey and colour
// pages are sampled bilinearly; bi-level pages take the nearest pixel, so
// that they stay bi-level. The arithmetic is the same on every machine,
// so that the stored image can be made again from the original.
func deskew(img image.Image, deg float64) (image.Image, error) {
	return deskewInto(img, deg, nil)
}

// deskewInto is deskew into the pixels of into when it holds enough of
// them, which it overwrites every one of, so that into may come dirty from
// a pool (see writeCorrected).
func deskewInto(img image.Image, deg float64, into []byte) (image.Image, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	t := newTurn(w, h, deg)
	sin, cos, cy := t.sin, t.cos, t.cy
	colX, colY := t.colX, t.colY
	r := image.Rect(0, 0, w, h)
	pixels := func(n int) []byte {
		if cap(into) >= n {
			return into[:n]
		}
		return make([]byte, n)
	}

	var (
		src, dst []byte
		stride   int
		bpp      int
		bg       []byte
		nearest  bool
		res      image.Image
	)
	switch m := img.(type) {
	case *image.Gray:
		g := &image.Gray{Pix: pixels(w * h), Stride: w, Rect: r}
		src, dst, stride, bpp, bg, res = m.Pix, g.Pix, m.Stride, 1, []byte{0xff}, g
	case *image.RGBA:
		c := &image.RGBA{Pix: pixels(4 * w * h), Stride: 4 * w, Rect: r}
		src, dst, stride, bpp, res = m.Pix, c.Pix, m.Stride, 4, c
		bg = []byte{0xff, 0xff, 0xff, 0xff}
	case *image.Paletted:
		p := &image.Paletted{Pix: pixels(w * h), Stride: w, Rect: r, Palette: m.Palette}
		src, dst, stride, bpp, nearest, res = m.Pix, p.Pix, m.Stride, 1, true, p
		bg = []byte{whitestIndex(m.Palette)}
	default:
		return nil, fmt.Errorf("archive: cannot deskew a %T", img)
	}

	if nearest && t.runs() {
		// In strips of columns, top to bottom: along a whole row, each run
		// comes from another source row, and the memory waited on every
		// one (a 300-dpi page: 13 ms against 8); down a strip, the rows
		// read follow one another.
		for x0 := 0; x0 < w; x0 += runStrip {
			for y := range h {
				r := t.row(y)
				line := dst[y*w:][:w]
				r.runs(x0, min(x0+runStrip, w), func(x, n, ix, iy int) {
					at := iy*stride + ix
					copy(line[x:x+n], src[at:at+n])
				}, func(x int) { line[x] = bg[0] })
			}
		}
		return res, nil
	}
	for y := range h {
		dy := float64(y) - cy
		rowX, rowY := float64(dy*sin), float64(dy*cos)
		line := dst[y*w*bpp:][:w*bpp]
		for x := range w {
			// The source point that lands on (x, y) after the turn.
			sx, sy := colX[x]-rowX, colY[x]+rowY
			if nearest { // one byte a pixel
				line[x] = nearestPixel(src, stride, w, h, sx, sy, bg[0])
				continue
			}
			if sx >= 0 && sy >= 0 && sx < float64(w-1) && sy < float64(h-1) {
				if bpp == 1 {
					line[x] = bilinearGrey(src, stride, sx, sy)
				} else {
					bilinearRGBA(line[x*4:][:4], src, stride, sx, sy)
				}
				continue
			}
			bilinear(line[x*bpp:][:bpp], src, stride, bpp, w, h, sx, sy, bg)
		}
	}
	return res, nil
}

// nearestPixel is the pixel of a one-byte-a-pixel image nearest to
// (sx, sy), or bg outside it.
func nearestPixel(src []byte, stride, w, h int, sx, sy float64, bg byte) byte {
	ix, iy := int(math.Round(sx)), int(math.Round(sy))
	if uint(ix) >= uint(w) || uint(iy) >= uint(h) {
		return bg
	}
	return src[iy*stride+ix]
}

// minRunTurn is how far below 1 the cosine of a turn must be for
// nearestRow's runs to hold (see there): at 0.08°, a million times more
// than the rounding of the coordinates of any page the limits let in.
const minRunTurn = 1e-6

// runStrip is the width of the strips of columns deskew levels a bi-level
// page in: a few cache lines of each row.
const runStrip = 512

// turn is a page's turn by deg degrees about its centre, as deskew works
// it out. The parts of a source point's coordinates that depend on the
// column alone are worked out once per column, and each row adds its own
// part in the same order and with the same roundings as the whole formula
// (the conversions keep the compiler from fusing a multiply and an add),
// so that a page ingested before this gives the same image again.
type turn struct {
	w, h             int
	sin, cos, cx, cy float64
	colX, colY       []float64
}

func newTurn(w, h int, deg float64) *turn {
	t := &turn{w: w, h: h, cx: float64(w-1) / 2, cy: float64(h-1) / 2}
	t.sin, t.cos = math.Sincos(deg * math.Pi / 180)
	t.colX, t.colY = make([]float64, w), make([]float64, w)
	for x := range w {
		dx := float64(x) - t.cx
		t.colX[x], t.colY[x] = t.cx+float64(dx*t.cos), t.cy+float64(dx*t.sin)
	}
	return t
}

// runs reports whether nearestRow's runs hold for the turn.
func (t *turn) runs() bool { return 1-t.cos > minRunTurn }

// row is row y of the turn.
func (t *turn) row(y int) nearestRow {
	dy := float64(y) - t.cy
	return nearestRow{w: t.w, h: t.h, colX: t.colX, colY: t.colY,
		rowX: float64(dy * t.sin), rowY: float64(dy * t.cos), sin: t.sin, cos: t.cos}
}

// nearestRow levels one row of a bi-level page, nearest pixel, in runs.
// Turned by a few degrees, a row of the levelled page takes each of its
// pixels from the source pixel one column on from the last one's, in the
// same source row, for dozens of pixels at a time: a run, copied at once.
// Each run is found by working out the source point of its predicted end
// only, and of the pixel after it, with the same arithmetic as every
// pixel's (so the same bytes as pixel by pixel); a prediction too long is
// cut back by halving. That holds because, along a row, the source row
// rounded to (iy) only ever moves one way, and the source column rounded
// to (ix) steps by 0 or 1: the float step of its coordinate, cos plus
// roundings, stays below 1 while cos is below 1 - minRunTurn. So when two
// pixels of a row have the same iy and the same ix - x, so do all the
// pixels between them.
type nearestRow struct {
	w, h       int
	colX, colY []float64
	rowX, rowY float64
	sin, cos   float64
}

// at is the source point of pixel x of the row, rounded: as in deskew.
func (r *nearestRow) at(x int) (sx, sy float64, ix, iy int) {
	sx, sy = r.colX[x]-r.rowX, r.colY[x]+r.rowY
	return sx, sy, int(math.Round(sx)), int(math.Round(sy))
}

// runs goes over pixels from to to-1 of the row: run is given each run of
// n pixels from x on, whose source starts at (ix, iy), and outside each
// pixel whose source lies outside the page.
func (r *nearestRow) runs(from, to int, run func(x, n, ix, iy int), outside func(x int)) {
	for x := from; x < to; {
		sx, sy, ix, iy := r.at(x)
		if uint(ix) >= uint(r.w) || uint(iy) >= uint(r.h) {
			outside(x)
			x++
			continue
		}

		d := ix - x
		last := min(to-1, r.w-1-d) // keeps ix inside the page
		same := func(e int) bool {
			_, _, jx, jy := r.at(e)
			return jx-e == d && jy == iy
		}
		e := min(last, x+r.runGuess(sx, sy, float64(ix), float64(iy)))
		if same(e) {
			for e < last && same(e+1) {
				e++
			}
		} else { // same(x) holds, same(e) does not: the end lies between
			lo, hi := x, e
			for hi-lo > 1 {
				if m := (lo + hi) / 2; same(m) {
					lo = m
				} else {
					hi = m
				}
			}
			e = lo
		}

		run(x, e-x+1, ix, iy)
		x = e + 1
	}
}

// runGuess predicts how many pixels after one whose source point is
// (sx, sy), rounded to (ix, iy), keep its iy and its ix - x: until the
// row's slope carries sy past iy's half, or the shortfall of cos below 1
// carries sx - x past ix's.
func (r *nearestRow) runGuess(sx, sy, ix, iy float64) int {
	steps := (sx - ix + 0.5) / (1 - r.cos)
	switch {
	case r.sin > 0:
		steps = min(steps, (iy+0.5-sy)/r.sin)
	case r.sin < 0:
		steps = min(steps, (sy-iy+0.5)/-r.sin)
	}
	return int(min(steps, float64(r.w)))
}

// bilinear samples src at (sx, sy) into out, taking bg for the parts of
// the four neighbours that lie outside the image.
func bilinear(out, src []byte, stride, bpp, w, h int, sx, sy float64, bg []byte) {
	x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
	fx, fy := sx-float64(x0), sy-float64(y0)
	if x0 < -1 || y0 < -1 || x0 >= w || y0 >= h {
		copy(out, bg)
		return
	}
	at := func(x, y, c int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return float64(bg[c])
		}
		return float64(src[y*stride+x*bpp+c])
	}
	for c := range bpp {
		top := at(x0, y0, c)*(1-fx) + at(x0+1, y0, c)*fx
		bot := at(x0, y0+1, c)*(1-fx) + at(x0+1, y0+1, c)*fx
		out[c] = uint8(math.Round(top*(1-fy) + bot*fy))
	}
}

// bilinearGrey is bilinear for a grey point whose four neighbours are all
// inside the image, nearly every point of a deskewed page: the same
// arithmetic in the same order, so the same bytes, without the general
// case's bounds checks and closure calls. math.Round is what the general
// case rounds with, and faster than Floor and a comparison (a grey 300-dpi
// page: 140 ms in the general case, 125 with Floor, 95 with Round).
func bilinearGrey(src []byte, stride int, sx, sy float64) uint8 {
	x0, y0 := int(sx), int(sy) // sx, sy >= 0: truncation is the floor
	fx, fy := sx-float64(x0), sy-float64(y0)
	i := y0*stride + x0
	top := float64(src[i])*(1-fx) + float64(src[i+1])*fx
	bot := float64(src[i+stride])*(1-fx) + float64(src[i+stride+1])*fx
	return uint8(math.Round(top*(1-fy) + bot*fy))
}

// bilinearRGBA is bilinearGrey for a colour point, channel by channel:
// the phone photos' pages are colour (a 12-megapixel page: 400 ms before,
// 310 after).
func bilinearRGBA(out, src []byte, stride int, sx, sy float64) {
	x0, y0 := int(sx), int(sy) // sx, sy >= 0: truncation is the floor
	fx, fy := sx-float64(x0), sy-float64(y0)
	i := y0*stride + 4*x0
	up, down := src[i:][:8], src[i+stride:][:8]
	for c := range 4 {
		top := float64(up[c])*(1-fx) + float64(up[4+c])*fx
		bot := float64(down[c])*(1-fx) + float64(down[4+c])*fx
		out[c] = uint8(math.Round(top*(1-fy) + bot*fy))
	}
}

// whitestIndex is the index of the lightest colour of a palette.
func whitestIndex(p color.Palette) byte {
	lum := paletteLuma(p)
	best := 0
	for i := range p {
		if lum[i] > lum[best] {
			best = i
		}
	}
	return byte(best)
}
