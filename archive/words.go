package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sijil-municipality/sijil"
)

// Word is one word Tesseract read, with its box in the pixels of the
// stored page image (PageImageKey): upright, deskewed, origin at the top
// left, y downwards. The numbers place it in Tesseract's layout: words
// with the same Block, Par and Line are on one line, in reading order.
type Word struct {
	Text  string  `json:"text"`
	X     int     `json:"x"`
	Y     int     `json:"y"`
	W     int     `json:"w"`
	H     int     `json:"h"`
	Conf  float64 `json:"conf"` // 0-100
	Block int     `json:"block"`
	Par   int     `json:"par"`
	Line  int     `json:"line"`
	Num   int     `json:"word"`
}

// PageWords is the word-box blob of one page (PageWordsKey). Width and
// Height are those of the image the boxes are in, so that a viewer
// showing a scaled copy (PageViewKey) scales the boxes by its own width
// over Width.
type PageWords struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Words  []Word `json:"words"`
}

// PageWordsKey is where the word boxes of page n (from 1) of the original
// with the given SHA-256 are stored, as JSON (PageWords).
func PageWordsKey(sha256Hex string, n int) string {
	return derivedPrefix(sha256Hex, n) + ".words.json"
}

// derivedPrefix is the common start of the keys of files derived from
// page n of an original: they sit under its hash, so that every one of
// them can be traced to, and made again from, the original.
func derivedPrefix(sha256Hex string, n int) string {
	return fmt.Sprintf("derived/%s/%s/p%04d", sha256Hex[:2], sha256Hex, n)
}

// LoadWords reads the word boxes of page n of the original with the given
// SHA-256. A page ingested before word boxes were kept, or one that does
// not exist, is a NotFound error.
func LoadWords(ctx context.Context, blobs Blobs, sha256Hex string, n int) (PageWords, error) {
	if !validSHA(sha256Hex) || n < 1 {
		return PageWords{}, sijil.Errorf(sijil.NotFound, "archive.words_not_found",
			"no word boxes are kept for page %d of %q", n, sha256Hex)
	}
	data, err := readBlob(ctx, blobs, PageWordsKey(sha256Hex, n))
	if errors.Is(err, ErrBlobNotFound) {
		return PageWords{}, sijil.Errorf(sijil.NotFound, "archive.words_not_found",
			"no word boxes are kept for page %d of this record; reading it again "+
				"would make them", n)
	}
	if err != nil {
		return PageWords{}, err
	}

	var pw PageWords
	if err := json.Unmarshal(data, &pw); err != nil {
		return PageWords{}, fmt.Errorf("archive: word boxes of page %d of %s: %w",
			n, sha256Hex, err)
	}
	return pw, nil
}

// encodeWords is the blob stored under PageWordsKey.
func encodeWords(w, h int, words []Word) ([]byte, error) {
	if words == nil {
		words = []Word{}
	}
	data, err := json.Marshal(PageWords{Width: w, Height: h, Words: words})
	if err != nil {
		return nil, fmt.Errorf("archive: encoding word boxes: %w", err)
	}
	return data, nil
}

// tsvColumns are the columns of Tesseract's TSV output, in order.
var tsvColumns = []string{"level", "page_num", "block_num", "par_num", "line_num",
	"word_num", "left", "top", "width", "height", "conf", "text"}

// parseTSV keeps the words (level 5) of Tesseract's TSV output that hold
// text; the rows of pages, blocks, paragraphs and lines only repeat what
// the words say.
func parseTSV(tsv []byte) ([]Word, error) {
	lines := strings.Split(strings.TrimRight(string(tsv), "\n"), "\n")
	if len(lines) == 0 || lines[0] != strings.Join(tsvColumns, "\t") {
		return nil, fmt.Errorf("archive: tesseract TSV has an unknown header %q", lines[0])
	}

	var words []Word
	for i, line := range lines[1:] {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) != len(tsvColumns) {
			return nil, fmt.Errorf("archive: tesseract TSV line %d has %d columns", i+2, len(f))
		}
		if f[0] != "5" || strings.TrimSpace(f[11]) == "" {
			continue
		}
		var n [8]int
		for j := range n {
			v, err := strconv.Atoi(f[j+2])
			if err != nil {
				return nil, fmt.Errorf("archive: tesseract TSV line %d: %w", i+2, err)
			}
			n[j] = v
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		if err != nil {
			return nil, fmt.Errorf("archive: tesseract TSV line %d: %w", i+2, err)
		}
		words = append(words, Word{Text: f[11], Block: n[0], Par: n[1], Line: n[2],
			Num: n[3], X: n[4], Y: n[5], W: n[6], H: n[7], Conf: conf})
	}
	return words, nil
}

// meanConfidence is the mean word confidence in whole percent, or -1 for
// a page without words, as the pages table keeps it.
func meanConfidence(words []Word) int {
	if len(words) == 0 {
		return -1
	}
	var sum float64
	for _, w := range words {
		sum += max(w.Conf, 0)
	}
	return int(math.Round(sum / float64(len(words))))
}

// Thresholds of doubt about a reading; see doubtful.
const (
	minUprightConfidence = 60 // upright pages measured 83-96, an upside-down one 21
	minUprightWords      = 3  // fewer, and the confidence says little
)

// doubtful reports whether a reading of a page as it stands may be of a
// page that is not upright, so that orientation detection is worth its
// cost. An upside-down page reads as garbage of low confidence. A
// sideways page reads well, because Tesseract turns vertical lines
// itself, but its lines come back taller than they are wide.
func doubtful(words []Word) bool {
	if len(words) < minUprightWords || meanConfidence(words) < minUprightConfidence {
		return true
	}

	type key struct{ block, par, line int }
	boxes := map[key][4]int{} // min x, min y, max x, max y
	for _, w := range words {
		k := key{w.Block, w.Par, w.Line}
		b, ok := boxes[k]
		if !ok {
			b = [4]int{w.X, w.Y, w.X + w.W, w.Y + w.H}
		}
		boxes[k] = [4]int{min(b[0], w.X), min(b[1], w.Y), max(b[2], w.X+w.W),
			max(b[3], w.Y+w.H)}
	}
	tall := 0
	for _, b := range boxes {
		if b[3]-b[1] > b[2]-b[0] {
			tall++
		}
	}
	return 2*tall > len(boxes)
}

// readBlob reads a whole (small) blob.
func readBlob(ctx context.Context, blobs Blobs, key string) ([]byte, error) {
	rc, err := blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()

	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, fmt.Errorf("archive: reading %s: %w", key, err)
	}
	return buf.Bytes(), nil
}

// validSHA reports whether s is a lower-case hex SHA-256, as keys need:
// a key built from anything else could name another object.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
