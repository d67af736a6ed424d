package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/image/tiff"
)

// readPages reads every page on in.workers() goroutines: decode, find the
// orientation, turn it upright, OCR, and store the image and text blobs.
// The first failure cancels the pages still running.
func (in *Ingester) readPages(ctx context.Context, sha string, sources []pageSource,
	tmp string) ([]Page, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		pages = make([]Page, len(sources))
		jobs  = make(chan int)
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	fail := func(err error) { once.Do(func() { first = err; cancel() }) }
	for range min(in.workers(), len(sources)) {
		wg.Go(func() {
			for i := range jobs {
				p, err := in.safeReadPage(ctx, sha, sources[i], tmp)
				if err != nil {
					fail(err)
					continue
				}
				pages[i] = p
			}
		})
	}

feed:
	for i := range sources {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return pages, nil
}

// safeReadPage turns a panic in a page (a decoder bug on a strange file)
// into an error, so that one page never takes the server down.
func (in *Ingester) safeReadPage(ctx context.Context, sha string, src pageSource,
	tmp string) (p Page, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("archive: page %d panicked: %v\n%s", src.number, r, debug.Stack())
		}
	}()
	return in.readPage(ctx, sha, src, tmp)
}

// readPage reads one page. Orientation detection costs most of what OCR
// does, so it runs only when the page is in doubt, always on the
// full-resolution page: before the first reading when the page's rows of
// ink look turned (see looksTurned), else after it when that reading is
// in doubt (see doubtful). CPU seconds on the band of the samples' 300-dpi
// Arabic page (see inkBand), OMP_THREAD_LIMIT=1:
//
//	OCR alone (--psm 3, txt+tsv)                   0.69-0.75
//	OSD (--psm 0), 100 characters (osdCharacters)  0.45-0.58
//	OSD, Tesseract's default 250 characters        1.02-1.18
//	OSD and OCR in one run (--psm 1)               1.19-1.31
//
// Upright pages, nearly all of an archive, cost one Tesseract run, as bare
// Tesseract does. A page that looks turned costs two (OSD, then the
// reading of the page turned upright); a turned page that does not look
// it, three (a wasted reading more). A page in a script the import's
// languages lack is read in its own as well, at the same cost (see
// readFirst and readInScript).
//
// Against bare Tesseract reading the scans as they are, bulk ingest runs
// at 101-107 % on Group 4 TIFF pages, 95-99 % on upright Arabic pages and
// 92-100 % on the shared samples, turned and English pages included
// (README, Benchmarks): Tesseract is given only the band of a page that
// holds writing, which saves about what Go spends. What Sijil adds to
// Tesseract's work on the same images is 85-91 % (G4), 85 % (upright) and
// 66-69 % (samples, whose OSD runs bare Tesseract never makes): per page,
// beside a 710-955 ms OCR call, Go spends 65-74 ms of CPU: decoding Group
// 4 (x/image/ccitt) ~20, levelling 8, the skew search 5, packing 2, and
// ~16 keeping the record (rows, blobs, the index's segments, GC). A PDF's
// scan costs ~65 ms more in four poppler processes, and a phone photo ~24
// decoding its JPEG and ~22 levelling it bilinearly (nearest pixel reads
// it worse: 2.9 % of characters wrong against 2.4). OCR of the page as
// scanned is no way out: at 1° of skew Tesseract reads 88 % of the Arabic
// sample's words back, against 98 % levelled.
func (in *Ingester) readPage(ctx context.Context, sha string, src pageSource,
	tmp string) (Page, error) {
	start := time.Now()
	decoded, err := src.decode(ctx)
	if err != nil {
		return Page{}, err
	}
	scan := newOCRScan(forOCR(decoded))
	defer scan.release()
	// A PDF opened with its password cannot be opened again without it,
	// and the password is never kept: its page image is made now, in
	// colour if it is. Any other page lets go of its colours here.
	var colour image.Image
	if len(pdfPasswordArgs(ctx)) > 0 {
		colour = decoded
	}
	path := filepath.Join(tmp, "page-"+strconv.Itoa(src.number)+ocrExt(scan.img))
	defer os.Remove(path)

	fix := correction{skew: scan.skew()}
	w, err := writeCorrected(scan, &fix, path)
	if err != nil {
		return Page{}, fmt.Errorf("archive: OCR of page %d: %w", src.number, err)
	}
	var script string
	oriented := looksTurned(w.rows)
	if oriented {
		if w, script, err = in.turnUpright(ctx, scan, &fix, path, src.number, w); err != nil {
			return Page{}, err
		}
	}
	reading, err := in.readFirst(ctx, path, script, src.number)
	if err != nil {
		return Page{}, fmt.Errorf("archive: OCR of page %d: %w", src.number, err)
	}
	if !oriented && doubtful(reading.Words) {
		if w, script, err = in.turnUpright(ctx, scan, &fix, path, src.number, w); err != nil {
			return Page{}, err
		}
		if fix.rotation != 0 {
			if reading, err = in.ocr().Read(ctx, path, in.languages()); err != nil {
				return Page{}, fmt.Errorf("archive: OCR of page %d: %w", src.number, err)
			}
		}
		reading = in.readInScript(ctx, path, script, reading, src.number)
	}
	for i := range reading.Words { // from the band written to the page
		reading.Words[i].Y += w.top
	}

	var png []byte
	if colour != nil {
		img, err := fix.apply(normalise(colour), nil)
		if err == nil {
			png, err = encodePNG(img)
		}
		if err != nil {
			return Page{}, err
		}
	}
	p, err := in.storePage(ctx, sha, src.number, w.bounds, png, reading, fix)
	if err != nil {
		return Page{}, err
	}
	in.log().DebugContext(ctx, "archive read a page", "sha256", sha, "page", p.Number,
		"rotation", p.Rotation, "skew", p.Skew, "confidence", p.Confidence,
		"looked_turned", oriented, "duration_ms", time.Since(start).Milliseconds())
	return p, nil
}

// turnUpright asks Tesseract's OSD how the page written at path is turned
// and, when it is, writes it there again turned upright. It returns the
// page as written there (w, when it was not turned) and the script OSD
// named, if it was sure.
func (in *Ingester) turnUpright(ctx context.Context, scan ocrScan, fix *correction,
	path string, page int, w written) (written, string, error) {
	osd, err := in.ocr().Orientation(ctx, path)
	if err != nil {
		return written{}, "", fmt.Errorf("archive: orientation of page %d: %w", page, err)
	}
	fix.rotation = osd.Rotate
	switch fix.rotation {
	case 0:
		return w, osd.Script, nil
	case 90, 270: // a quarter turn shows the lines' slope anew
		turned, err := rotate(scan.img, fix.rotation)
		if err != nil {
			return written{}, "", err
		}
		fix.skew = estimateSkew(turned)
	}
	if w, err = writeCorrected(scan, fix, path); err != nil {
		return written{}, "", fmt.Errorf("archive: OCR of page %d: %w", page, err)
	}
	return w, osd.Script, nil
}

// scriptLanguages are the Tesseract languages of the scripts OSD names,
// for the archive's two languages.
var scriptLanguages = map[string]string{"Arabic": "ara", "Latin": "eng"}

// otherScript is the language of the script OSD named when the import's
// languages lack it, or "".
func (in *Ingester) otherScript(script string) string {
	lang := scriptLanguages[script]
	if lang == "" || slices.Contains(in.languages(), lang) {
		return ""
	}
	return lang
}

// readFirst reads the page at path in the import's languages, or, when
// OSD has already named a script they lack, in its language first: an
// English page in an import of Arabic reads so once, not twice. If that
// reading is in doubt, the import's languages read it too, and the
// surer reading is kept.
func (in *Ingester) readFirst(ctx context.Context, path, script string, page int) (
	Reading, error) {
	lang := in.otherScript(script)
	if lang == "" {
		return in.ocr().Read(ctx, path, in.languages())
	}
	first, ok := in.readInLanguage(ctx, path, script, lang, page)
	if !ok {
		return in.ocr().Read(ctx, path, in.languages())
	}
	if !doubtful(first.Words) {
		return first, nil
	}
	again, err := in.ocr().Read(ctx, path, in.languages())
	if err != nil {
		return Reading{}, err
	}
	return surer(first, again), nil
}

// readInScript reads the page at path again in the language of its script
// when the import's languages lack it (an English letter in a box of
// Arabic registers, read as Arabic, is noise no search finds), and keeps
// whichever reading Tesseract is surer of. A language that is not
// installed keeps the first reading, with a warning.
func (in *Ingester) readInScript(ctx context.Context, path, script string, first Reading,
	page int) Reading {
	lang := in.otherScript(script)
	if lang == "" {
		return first
	}
	again, ok := in.readInLanguage(ctx, path, script, lang, page)
	if !ok {
		return first
	}
	return surer(first, again)
}

// readInLanguage reads the page at path in the language of its script. It
// reports false, with a warning, when it cannot (a language not installed),
// for the caller to keep to the import's languages.
func (in *Ingester) readInLanguage(ctx context.Context, path, script, lang string,
	page int) (Reading, bool) {
	r, err := in.ocr().Read(ctx, path, []string{lang})
	if err != nil {
		in.log().WarnContext(ctx, "archive could not read a page in its script's language",
			"page", page, "script", script, "language", lang, "err", err)
		return Reading{}, false
	}
	return r, true
}

// surer is the reading of the two whose words Tesseract is surer of, the
// first when they are as sure.
func surer(first, again Reading) Reading {
	if meanConfidence(again.Words) <= meanConfidence(first.Words) {
		return first
	}
	return again
}

// correction is how a scanned page is turned upright: first a quarter,
// half or three-quarter turn, then the skew levelled.
type correction struct {
	rotation int     // degrees clockwise: 0, 90, 180 or 270
	skew     float64 // slope of the turned page's lines, degrees clockwise
}

// apply returns the scanned page corrected, levelled into the pixels of
// into when they are enough (see deskewInto). The skew is kept only when
// it is worth levelling, so that a stored skew always means the image was
// turned back by it.
func (c *correction) apply(scan image.Image, into []byte) (image.Image, error) {
	img, err := rotate(scan, c.rotation)
	if err != nil || !c.levels() {
		return img, err
	}
	return deskewInto(img, c.skew, into)
}

// levels reports whether the skew is worth levelling, and sets it to 0
// when it is not.
func (c *correction) levels() bool {
	if math.Abs(c.skew) < minSkew {
		c.skew = 0
		return false
	}
	return true
}

// levelled holds the pixels of pages levelled for Tesseract from one page
// to the next. A page levelled into fresh memory spent more time on the
// kernel's zeroing of it than on levelling it (a 300-dpi A4 page: ~13 ms
// of ~18); nothing but writeCorrected holds these pixels, and only until
// it has written them for Tesseract.
var levelled sync.Pool

// ocrScan is a scanned page as readPage corrects it for Tesseract: its
// image, and for a page of black and white, its pixels packed a bit each,
// once, for both the skew search and the levelling (see bitPage).
type ocrScan struct {
	img    image.Image
	packed *bitPage // nil unless black and white
}

// newOCRScan packs a scan of black and white into pixels from levelled;
// release gives them back.
func newOCRScan(img image.Image) ocrScan {
	if p, ok := img.(*image.Paletted); ok && isBlackWhite(p.Palette) {
		return ocrScan{img: img, packed: packPage(p, fromLevelled())}
	}
	return ocrScan{img: img}
}

func (s ocrScan) release() {
	if s.packed != nil {
		levelled.Put(&s.packed.bits)
	}
}

// skew is estimateSkew of the scan.
func (s ocrScan) skew() float64 {
	if s.packed != nil {
		return estimateSkewBits(s.packed)
	}
	return estimateSkew(s.img)
}

// written is a corrected page as writeCorrected wrote it for Tesseract.
type written struct {
	bounds image.Rectangle // the corrected page's
	rows   []int           // the dark pixels of each of its rows (see looksTurned)
	top    int             // the page's row that is the file's first (see inkBand)
}

// writeCorrected corrects the scanned page and writes the band of it that
// holds writing to path for Tesseract (see inkBand, writeForOCR). A page
// of black and white is levelled a bit a pixel (see bitPage).
func writeCorrected(scan ocrScan, fix *correction, path string) (written, error) {
	into, more := fromLevelled(), fromLevelled()
	defer func() {
		for _, pix := range [][]byte{into, more} {
			if pix != nil {
				levelled.Put(&pix)
			}
		}
	}()

	if page := scan.packed; page != nil {
		b := scan.img.Bounds()
		if fix.rotation != 0 {
			turned, err := rotate(scan.img, fix.rotation)
			if err != nil {
				return written{}, err
			}
			b, page = turned.Bounds(), packPage(turned.(*image.Paletted), into)
			into = page.bits
		}
		if fix.levels() {
			page = levelBits(page, fix.skew, more)
			more = page.bits
		}
		w := written{bounds: b, rows: bitRows(page)}
		top, bottom := inkBand(w.rows)
		w.top = top
		return w, writeBitPage(page, top, bottom, path)
	}

	img, err := fix.apply(scan.img, into)
	if err != nil {
		return written{}, err
	}
	// Not the scan's own pixels, which an unturned, level page is.
	if pix, orig := pixelsOf(img), pixelsOf(scan.img); len(pix) > 0 &&
		(len(orig) == 0 || &pix[0] != &orig[0]) {
		into = pix
	}
	w := written{bounds: img.Bounds(), rows: darkRows(img)}
	top, bottom := inkBand(w.rows)
	w.top = top
	if sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		img = sub.SubImage(image.Rect(0, top, w.bounds.Dx(), bottom).Add(w.bounds.Min))
	} else {
		w.top = 0
	}
	return w, writeForOCR(img, path)
}

// fromLevelled takes pixels from levelled, or none.
func fromLevelled() []byte {
	if p, ok := levelled.Get().(*[]byte); ok {
		return *p
	}
	return nil
}

// pixelsOf is the pixel slice of the image forms normalise returns.
func pixelsOf(img image.Image) []byte {
	switch m := img.(type) {
	case *image.Gray:
		return m.Pix
	case *image.Paletted:
		return m.Pix
	case *image.RGBA:
		return m.Pix
	}
	return nil
}

// storePage stores the page's text and its word boxes, and its image when
// png holds it, and returns its row. The page image is otherwise made when
// it is first needed, and the scaled copies from it (see
// Ingester.PageImage).
func (in *Ingester) storePage(ctx context.Context, sha string, n int, b image.Rectangle,
	png []byte, reading Reading, fix correction) (Page, error) {
	p := Page{Number: n, Width: b.Dx(), Height: b.Dy(), Rotation: fix.rotation,
		ImageKey: PageImageKey(sha, n), TextKey: PageTextKey(sha, n), Text: reading.Text,
		Skew: fix.skew, Confidence: meanConfidence(reading.Words)}

	words, err := encodeWords(b.Dx(), b.Dy(), reading.Words)
	if err != nil {
		return Page{}, err
	}
	type blob struct {
		key, media string
		data       []byte
	}
	blobs := []blob{
		{p.TextKey, "text/plain; charset=utf-8", []byte(p.Text)},
		{PageWordsKey(sha, n), "application/json", words},
	}
	if png != nil {
		blobs = append(blobs, blob{p.ImageKey, "image/png", png})
	}
	for _, bl := range blobs {
		err := in.Blobs.Put(ctx, bl.key, bytes.NewReader(bl.data), int64(len(bl.data)),
			bl.media)
		if err != nil {
			return Page{}, fmt.Errorf("archive: storing page %d (%s): %w", n, bl.key, err)
		}
		sum := sha256.Sum256(bl.data)
		p.stored = append(p.stored, objectCheck{key: bl.key,
			wantSHA: hex.EncodeToString(sum[:]), wantSize: int64(len(bl.data))})
	}
	return p, nil
}

// forOCR is a decoded page as Tesseract is given it: normalised, and a
// colour page as its luminance, a JPEG's being its own luma plane, already
// decoded. Tesseract reads words in grey whatever it is given (the shared
// phone photo read to a character error rate of 2.0-2.4 % in grey, 2.1 in
// colour), and one channel is levelled and written in a quarter of the
// time and bytes of four (the photo: 60 ms less). The page image stays in
// colour (see correctedPNG), the words' places on it the same.
func forOCR(decoded image.Image) image.Image {
	if yc, ok := decoded.(*image.YCbCr); ok {
		return &image.Gray{Pix: yc.Y, Stride: yc.YStride, Rect: yc.Rect}
	}
	scan := normalise(decoded)
	c, ok := scan.(*image.RGBA)
	if !ok {
		return scan
	}

	// Over white, as Tesseract lays a page with an alpha channel: the
	// colours are premultiplied, so a pixel transparent by a keeps a·255
	// of white to add (a TIFF's colours said to be premultiplied may not
	// be, hence the cap).
	w, h := c.Rect.Dx(), c.Rect.Dy()
	grey := image.NewGray(c.Rect)
	for y := range h {
		px, row := c.Pix[y*c.Stride:][:4*w], grey.Pix[y*grey.Stride:][:w]
		for x := range row {
			p := px[4*x:][:4]
			lum := (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
			row[x] = uint8(min(255, lum+255-int(p[3])))
		}
	}
	return grey
}

// ocrExt is the extension of the file writeForOCR writes img as.
func ocrExt(img image.Image) string {
	if p, ok := img.(*image.Paletted); ok && isBlackWhite(p.Palette) {
		return ".pbm"
	}
	return ".tif"
}

// writeForOCR writes img to path for Tesseract, as ocrExt says: a page
// of black and white as a PBM, a bit a pixel, which Tesseract reads to the
// same words as the TIFF of its indexes in half the memory, an eighth the
// bytes (a 300-dpi A4 page: 1.1 MB against 8.9); any other page as an
// uncompressed TIFF, which Tesseract reads as it would a PNG of the same
// pixels, compressing it cost each page ~40 ms of CPU for a file deleted
// once read.
func writeForOCR(img image.Image, path string) error {
	if ocrExt(img) == ".pbm" {
		p := packPage(img.(*image.Paletted), nil)
		return writeBitPage(p, 0, p.height, path)
	}
	return writeOCRFile(path, func(w io.Writer) error {
		return tiff.Encode(w, img, &tiff.Options{Compression: tiff.Uncompressed})
	})
}

// writeOCRFile writes the file Tesseract reads to path through a buffer,
// its bytes written by encode.
func writeOCRFile(path string, encode func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("archive: writing page for tesseract: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = encode(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("archive: writing page for tesseract: %w", err)
	}
	return nil
}
