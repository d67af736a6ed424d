package archive

import (
	"image"
	"slices"
)

// What a page's rows of ink tell of its orientation before Tesseract reads
// it. Orientation detection is Tesseract's (see readPage); this only
// decides whether to ask it first. Asked after a reading in doubt, as on
// an upright page it need not be, OSD costs a turned page three runs of
// Tesseract: the wasted reading, OSD, and the reading of the turned page.
// Asked first, two. On the levelled samples, in all four turns:
//
//	                          blank rows   lines' densest row in the
//	                                       lower half  upper half
//	Arabic pages, upright     0.36-0.48       9-11        0-2
//	Arabic pages, upside down 0.36-0.49       0-1        10-11
//	every page, sideways      0.00-0.21       0-3         0-3
//	English pages, upright    0.18-0.34      0-24        4-8
//
// The densest row of a line of Arabic is its baseline, low in the line,
// which an upside-down page puts high; English has no such sign (one of
// the three English pages has its lines' densest rows high), and an
// English page looking turned is only asked first what, in an import read
// as Arabic, it is asked after its first reading anyway.

const (
	// minBlankRows is the share of blank rows, between a page's first and
	// last inked ones, below which it is taken to have no horizontal
	// lines: turned a quarter, or no page of writing.
	minBlankRows = 0.08
	// minLineRows is the height, in rows, of the least band of ink taken
	// for a line of writing; lower ones are rules and specks.
	minLineRows = 10
	// minTurnedLines is how many lines must have their densest row high
	// for a page to look upside down.
	minTurnedLines = 3
)

// looksTurned reports whether a levelled page whose rows hold rows[y]
// dark pixels looks sideways or upside down (see above).
func looksTurned(rows []int) bool {
	first := slices.IndexFunc(rows, func(n int) bool { return n > 0 })
	if first < 0 {
		return false // a blank page has no orientation to ask about
	}
	last := len(rows) - 1
	for rows[last] == 0 {
		last--
	}
	inked := rows[first : last+1]

	// A row is blank when it holds a twentieth of the ink of the fuller
	// rows, which specks and the dust between lines stay under.
	sorted := slices.Sorted(slices.Values(inked))
	blank := sorted[len(sorted)*9/10] / 20
	blanks := 0
	for _, n := range inked {
		if n <= blank {
			blanks++
		}
	}
	if float64(blanks) < minBlankRows*float64(len(inked)) {
		return true
	}

	high, low := 0, 0
	for y := 0; y < len(inked); {
		if inked[y] <= blank {
			y++
			continue
		}
		top, densest := y, y
		for ; y < len(inked) && inked[y] > blank; y++ {
			if inked[y] > inked[densest] {
				densest = y
			}
		}
		bottom := y - 1
		switch {
		case bottom-top < minLineRows:
		case densest-top < bottom-densest:
			high++
		default:
			low++
		}
	}
	return high >= minTurnedLines && high > low
}

// bitRows counts the black pixels of each row of a bit page.
func bitRows(p *bitPage) []int {
	rows := make([]int, p.height)
	for y := range rows {
		rows[y] = countBits(p.bits[y*p.stride:][:p.stride], 0, p.width)
	}
	return rows
}

// darkRows counts the pixels darker than mid-grey of each row of a
// normalised page.
func darkRows(img image.Image) []int {
	b := img.Bounds()
	read := lumaReader(img)
	line := make([]uint8, b.Dx())
	rows := make([]int, b.Dy())
	for y := range rows {
		read(b.Min.Y+y, line)
		for _, v := range line {
			if v < 128 {
				rows[y]++
			}
		}
	}
	return rows
}

// inkBand is the band of rows, top to bottom-1, of a page whose rows hold
// rows[y] dark pixels, that Tesseract is given: from a margin above the
// first row with writing to one below the last. Below the writing of a
// short letter, half a page can be blank, and Tesseract spent time on it
// as on writing: the Arabic sample, two thirds blank, reads to the same
// text in 0.66 s instead of 0.88, and OSD takes 1.00 s instead of 1.42.
// A row has writing from minBandInk dark pixels on, so that a page number
// or the dot of a letter is kept in, and only specks of dust are not;
// the margin is a few lines of writing high, as Tesseract finds lines
// best with white around them (the same text with margins of 10 to 120
// rows).
func inkBand(rows []int) (top, bottom int) {
	has := func(n int) bool { return n >= minBandInk }
	first, last := slices.IndexFunc(rows, has), len(rows)-1
	if first < 0 {
		return 0, len(rows) // nothing to cut to
	}
	for !has(rows[last]) {
		last--
	}
	margin := max(minBandMargin, len(rows)/64)
	return max(0, first-margin), min(len(rows), last+1+margin)
}

const (
	// minBandInk is the dark pixels a row holds from which inkBand takes
	// it for writing.
	minBandInk = 3
	// minBandMargin is the least margin inkBand leaves, in rows.
	minBandMargin = 16
)
