package archive

import "testing"

// TestInkBand: the band Tesseract is given keeps every mark of writing, a
// page number's dot included, with a margin, and leaves out blank paper
// and specks of dust; a blank page is given whole.
func TestInkBand(t *testing.T) {
	rows := make([]int, 3200)  // margin: 3200/64 = 50 rows
	rows[400] = minBandInk - 1 // a speck of dust
	for y := 1000; y < 1500; y++ {
		rows[y] = 400 // lines of writing
	}
	rows[2800] = minBandInk // the dot of a page number

	if top, bottom := inkBand(rows); top != 950 || bottom != 2851 {
		t.Errorf("band %d to %d, want 950 to 2851", top, bottom)
	}
	if top, bottom := inkBand(rows[1000:1100]); top != 0 || bottom != 100 {
		t.Errorf("writing to the edges: band %d to %d, want the whole 0 to 100", top, bottom)
	}
	if top, bottom := inkBand(make([]int, 500)); top != 0 || bottom != 500 {
		t.Errorf("blank page: band %d to %d, want the whole page", top, bottom)
	}
}
