package archive_test

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/sijil-municipality/sijil/archive"
)

// TestIngestSamples ingests the real scans of the shared samples folder
// and compares the OCR text of the Arabic ones with the expected text.
//
// The CER thresholds sit a few points above what was measured on this
// machine (Tesseract 5.3, ara 4.1), so that a regression in orientation,
// rasterisation or image handling shows while Tesseract's own noise does
// not. The photo is perspective-distorted, tinted and blurred, so it is
// allowed much more.
func TestIngestSamples(t *testing.T) {
	dir := samplesDir(t)
	if dir == "" {
		t.Log("no shared samples; TestIngestGenerated covers the pipeline")
		return
	}
	want, err := os.ReadFile(filepath.Join(dir, "texts", "building-administration.txt"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		file      string
		languages []string
		rotations []int
		maxCER    float64 // per page; 0 means the text is checked by words
		words     []string
	}{
		{"building-administration.tif", nil, []int{0}, 0.06, nil},
		{"building-administration-2pages.tif", nil, []int{0, 180}, 0.06, nil},
		{"building-administration-upside-down.tif", nil, []int{180}, 0.06, nil},
		{"building-administration-scan.pdf", nil, []int{0}, 0.06, nil},
		{"building-administration-photo.jpg", nil, []int{0}, 0.10, nil},
		{"latin/phototest.tif", []string{"eng"}, []int{0}, 0,
			[]string{"quick brown", "lazy fox"}},
		// An English page in an import read as Arabic: OSD names its
		// script, and it is read again in English.
		{"latin/eurotext.tif", []string{"ara"}, []int{0}, 0,
			[]string{"The (quick) [brown] {fox} jumps!", "is spam"}},
		// A page whose lines look turned, OSD asked first: its script is
		// named Latin with little confidence, and that is enough.
		{"latin/8087_054.3B.tif", []string{"ara"}, []int{0}, 0,
			[]string{"Dubrovnik", "Dalmatian coast"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(dir, "scans", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, tt.languages...)

			got := f.mustIngest(t, data, filepath.Base(tt.file))

			if r := rotations(got.pages); !slices.Equal(r, tt.rotations) {
				t.Errorf("rotations %v, want %v", r, tt.rotations)
			}
			checkDerived(t, f, got)
			for _, p := range got.pages {
				if tt.maxCER > 0 {
					cer := charErrorRate(string(want), p.Text)
					t.Logf("page %d: CER %.3f", p.Number, cer)
					if cer > tt.maxCER {
						t.Errorf("page %d: CER %.3f > %.2f; text:\n%s", p.Number, cer,
							tt.maxCER, p.Text)
					}
				}
				for _, w := range tt.words {
					if !strings.Contains(p.Text, w) {
						t.Errorf("page %d lacks %q:\n%s", p.Number, w, p.Text)
					}
				}
			}
		})
	}
}

// TestTurnedPagesAskOrientationFirst: a page that looks turned before
// it is read is read once, after Tesseract's OSD has turned it upright,
// not a first time wrong; an upright page is read once without OSD; and
// an English page in an import of Arabic is read once, in English, when
// OSD has named its script first. The calls are the real Tesseract's,
// counted.
func TestTurnedPagesAskOrientationFirst(t *testing.T) {
	dir := samplesDir(t)
	if dir == "" {
		t.Log("no shared samples; TestIngestGenerated covers turned pages")
		return
	}
	scan := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, "scans", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	pages, err := archive.DecodePages(context.Background(),
		filepath.Join(dir, "scans", "building-administration.tif"), archive.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	grey := image.NewGray(pages[0].Bounds())
	draw.Draw(grey, grey.Rect, pages[0], pages[0].Bounds().Min, draw.Src)

	tests := []struct {
		name      string
		data      []byte
		languages []string
		rotation  int
		calls     []string
		words     []string
	}{
		{"upright.tif", scan("building-administration.tif"), nil, 0,
			[]string{"read ara"}, []string{"الإدارة"}},
		{"upside-down.tif", scan("building-administration-upside-down.tif"), nil, 180,
			[]string{"osd", "read ara"}, []string{"الإدارة"}},
		{"sideways.png", encodePNG(t, quarterTurn(grey)), nil, 270,
			[]string{"osd", "read ara"}, []string{"الإدارة"}},
		{"english.tif", scan("latin/phototest.tif"), []string{"ara"}, 0,
			[]string{"osd", "read eng"}, []string{"quick brown", "lazy fox"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.languages...)
			ocr := &countingOCR{}
			f.in.OCR = ocr

			got := f.mustIngest(t, tt.data, tt.name)

			if r := rotations(got.pages); !slices.Equal(r, []int{tt.rotation}) {
				t.Errorf("rotations %v, want [%d]", r, tt.rotation)
			}
			if !slices.Equal(ocr.calls, tt.calls) {
				t.Errorf("tesseract calls %q, want %q", ocr.calls, tt.calls)
			}
			for _, w := range tt.words {
				if !strings.Contains(got.pages[0].Text, w) {
					t.Errorf("the page lacks %q:\n%s", w, got.pages[0].Text)
				}
			}
		})
	}
}

// countingOCR is the real Tesseract, its orientation detections and
// readings listed as they are asked for.
type countingOCR struct {
	archive.Tesseract
	mu    sync.Mutex
	calls []string
}

func (c *countingOCR) Orientation(ctx context.Context, path string) (archive.Orientation,
	error) {
	c.add("osd")
	return c.Tesseract.Orientation(ctx, path)
}

func (c *countingOCR) Read(ctx context.Context, path string, languages []string) (
	archive.Reading, error) {
	c.add(fmt.Sprintf("read %s", strings.Join(languages, "+")))
	return c.Tesseract.Read(ctx, path, languages)
}

func (c *countingOCR) add(call string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
}

// charErrorRate is the edit distance between the two texts, after
// normalising, divided by the length of the expected one.
func charErrorRate(want, got string) float64 {
	w, g := []rune(normaliseText(want)), []rune(normaliseText(got))
	return float64(editDistance(w, g)) / float64(max(len(w), 1))
}

// normaliseText drops bidi controls and joiners, which Tesseract adds and
// the expected text lacks, and turns every run of white space into one
// space.
func normaliseText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == 0x200C, r == 0x200D, r == 0x200E, r == 0x200F, r == 0xFEFF,
			r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
