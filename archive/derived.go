package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/sync/singleflight"

	"github.com/sijil-municipality/sijil"
)

// ImageKind names one of the images kept of each page.
type ImageKind string

// The images kept of each page. ImagePage is the full-resolution page,
// upright and deskewed, that OCR read and that word boxes refer to; the
// others are scaled copies of it for the viewer.
const (
	ImagePage  ImageKind = "page"  // PNG, as OCR read it (PageImageKey)
	ImageView  ImageKind = "view"  // JPEG, ViewWidth pixels wide at most
	ImageThumb ImageKind = "thumb" // JPEG, ThumbWidth pixels wide at most
)

// Widths of the scaled page images. 1200 pixels fills an office screen's
// viewer; 200 is a thumbnail in a list of results.
const (
	ViewWidth  = 1200
	ThumbWidth = 200
)

// jpegQuality keeps scanned text sharp at about a tenth of a PNG's size
// for grey pages.
const jpegQuality = 82

// PageViewKey is where the viewer's copy of page n (from 1) of the
// original with the given SHA-256 is stored.
func PageViewKey(sha256Hex string, n int) string {
	return derivedPrefix(sha256Hex, n) + ".view.jpg"
}

// PageThumbKey is where the thumbnail of page n of the original is stored.
func PageThumbKey(sha256Hex string, n int) string {
	return derivedPrefix(sha256Hex, n) + ".thumb.jpg"
}

// PageImage opens the image of the kind of page n of the original with the
// given SHA-256, and returns its media type; the caller closes it. A kind,
// hash or page that is not known is a NotFound error.
//
// Each image is made the first time it is asked for, and kept: the page
// image from the original, with the rotation and skew ingest found, and
// the scaled copies from the page image. Ingest leaves them to the first
// look, since most pages of an archive are never looked at, and making
// them cost a bulk import a quarter of its time (README, Benchmarks).
func (in *Ingester) PageImage(ctx context.Context, sha256Hex string, n int, kind ImageKind) (
	io.ReadCloser, string, error) {
	var key, media string
	if validSHA(sha256Hex) && n >= 1 {
		switch kind {
		case ImagePage:
			key, media = PageImageKey(sha256Hex, n), "image/png"
		case ImageView:
			key, media = PageViewKey(sha256Hex, n), "image/jpeg"
		case ImageThumb:
			key, media = PageThumbKey(sha256Hex, n), "image/jpeg"
		}
	}
	notFound := sijil.Errorf(sijil.NotFound, "archive.page_image_not_found",
		"there is no %s image of page %d of this record", kind, n)
	if key == "" {
		return nil, "", notFound
	}

	rc, err := in.Blobs.Get(ctx, key)
	if err == nil {
		return rc, media, nil
	}
	if !errors.Is(err, ErrBlobNotFound) {
		return nil, "", err
	}
	var data []byte
	if kind == ImagePage {
		data, err = in.makePage(ctx, sha256Hex, n)
	} else {
		data, err = in.makeScaled(ctx, sha256Hex, n, kind)
	}
	if errors.Is(err, errNoSuchPage) {
		return nil, "", notFound
	}
	if err != nil {
		return nil, "", err
	}
	return io.NopCloser(bytes.NewReader(data)), media, nil
}

// errNoSuchPage is the making of an image of a page no record has.
var errNoSuchPage = errors.New("archive: no such page")

// making lets one caller at a time make each image of a page: the record
// page asks for a page's copies side by side, and each making decodes the
// whole page.
var making singleflight.Group

// makingKey names the making of the object at key in one store: two stores
// in one process (tests side by side, a move between stores) must each get
// their own copy.
func makingKey(blobs Blobs, key string) string {
	return fmt.Sprintf("%p %s", blobs, key)
}

// pageMakers bounds the page images made at once, each a decoded page of
// up to 200 MB: a record page asks for every page's thumbnail together.
var pageMakers = make(chan struct{}, max(1, runtime.NumCPU()))

// makePage makes page n of the original with the given SHA-256 again as
// ingest corrected it, stores it, records its hash for fixity, and
// returns it. Two processes making the same page store the same bytes,
// and Put keeps the first.
func (in *Ingester) makePage(ctx context.Context, sha string, n int) ([]byte, error) {
	// One caller going away must not fail the others waiting on the same
	// making, which takes a fraction of a second.
	ctx = context.WithoutCancel(ctx)
	key := PageImageKey(sha, n)
	v, err, _ := making.Do(makingKey(in.Blobs, key), func() (any, error) {
		rec, p, err := in.pageRow(ctx, sha, n)
		if err != nil {
			return nil, err
		}
		data, err := in.derivePage(ctx, rec, p)
		if err != nil {
			in.checkDamaged(ctx, rec.ID, err)
			return nil, err
		}
		if err := in.Blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)),
			"image/png"); err != nil {
			return nil, fmt.Errorf("archive: storing %s: %w", key, err)
		}
		sum := sha256.Sum256(data)
		err = insertBaselines(ctx, in.DB, rec.ID, in.now(), []objectCheck{{key: key,
			wantSHA: hex.EncodeToString(sum[:]), wantSize: int64(len(data))}})
		return data, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// pageRow returns the record of the original with the given SHA-256 and
// the row of its page n; either unknown is errNoSuchPage.
func (in *Ingester) pageRow(ctx context.Context, sha string, n int) (Record, Page, error) {
	store := NewStore(in.DB)
	rec, err := store.RecordBySHA256(ctx, sha)
	if sijil.KindOf(err) == sijil.NotFound {
		return Record{}, Page{}, errNoSuchPage
	}
	if err != nil {
		return Record{}, Page{}, err
	}
	rows, err := store.Pages(ctx, rec.ID)
	if err != nil {
		return Record{}, Page{}, err
	}
	i := slices.IndexFunc(rows, func(p Page) bool { return p.Number == n })
	if i < 0 {
		return Record{}, Page{}, errNoSuchPage
	}
	return rec, rows[i], nil
}

// checkDamaged runs the fixity check of a record whose original, or page
// image, was found damaged or missing while an image was made from it, so
// that the record is blocked, and the archivist told why its pages show
// nothing, at once rather than at the next nightly check. The pages of
// one record failing together share one check, and a record already
// blocked, or being checked by the Fixity run that made the image, is not
// checked again.
func (in *Ingester) checkDamaged(ctx context.Context, recordID string, err error) {
	var se *sijil.Error
	if !errors.As(err, &se) || !slices.Contains([]string{"archive.original_damaged",
		"archive.original_missing", "archive.page_image_damaged"}, se.Key) {
		return
	}
	if ctx.Value(inFixity{}) != nil {
		return
	}
	// A copy's other pages failing cancel its context; the check must end.
	ctx = context.WithoutCancel(ctx)
	_, _, _ = checking.Do(makingKey(in.Blobs, recordID), func() (any, error) {
		blocked, err := NewStore(in.DB).OriginalBlocked(ctx, recordID)
		if err != nil || blocked {
			return nil, err
		}
		f := &Fixity{Blobs: in.Blobs, DB: in.DB, Log: in.Log, Now: in.Now}
		if _, err := f.checkRecord(ctx, recordID); err != nil {
			in.log().WarnContext(ctx, "archive could not check a record with damaged files",
				"record_id", recordID, "err", err)
		}
		return nil, nil
	})
}

// checking is the fixity checks checkDamaged runs, one per record at once.
var checking singleflight.Group

// inFixity marks the context of a Fixity run, whose own verdicts stand for
// the record.
type inFixity struct{}

// CertifiablePage returns the PNG of page n for a certified copy, as
// verifiedPageImage does.
func (in *Ingester) CertifiablePage(ctx context.Context, sha string, n int) ([]byte, error) {
	data, err := in.verifiedPageImage(ctx, sha, n)
	if errors.Is(err, errNoSuchPage) {
		return nil, sijil.Errorf(sijil.NotFound, "archive.page_image_not_found",
			"there is no page %d of this record", n)
	}
	return data, err
}

// verifiedPageImage returns the PNG of page n, made if it is not made yet,
// and only with the bytes whose hash was recorded when it was made: what
// is certified, or scaled for the viewer, is the page the archive made
// from the original, not what a disk or a hand changed since. A page
// image with no recorded hash (made before hashes were recorded, or whose
// recording failed) is made again from the original and compared, and its
// hash recorded then.
func (in *Ingester) verifiedPageImage(ctx context.Context, sha string, n int) ([]byte, error) {
	data, err := readBlob(ctx, in.Blobs, PageImageKey(sha, n))
	if errors.Is(err, ErrBlobNotFound) {
		return in.makePage(ctx, sha, n) // made now, its hash recorded with it
	}
	if err != nil {
		return nil, err
	}
	rec, p, err := in.pageRow(ctx, sha, n)
	if err != nil {
		return nil, err
	}
	baselines, err := NewStore(in.DB).baselines(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	key := PageImageKey(sha, n)
	sum := sha256.Sum256(data)
	got := objectCheck{key: key, wantSHA: hex.EncodeToString(sum[:]), wantSize: int64(len(data))}
	want, ok := baselines[key]
	if !ok {
		made, err := in.derivePage(ctx, rec, p)
		if err != nil {
			in.checkDamaged(ctx, rec.ID, err)
			return nil, err
		}
		if bytes.Equal(made, data) {
			return data, insertBaselines(ctx, in.DB, rec.ID, in.now(), []objectCheck{got})
		}
	} else if want.wantSHA == got.wantSHA && want.wantSize == got.wantSize {
		return data, nil
	}
	err = sijil.Errorf(sijil.Conflict, "archive.page_image_damaged",
		"the stored image of page %d is not the one made from the original; "+
			"restore it and run 'sijil fixity'", n)
	in.checkDamaged(ctx, rec.ID, err)
	return nil, err
}

// derivePage makes the PNG of one page of a record from its original,
// holding one of the pageMakers while it does.
func (in *Ingester) derivePage(ctx context.Context, rec Record, p Page) ([]byte, error) {
	pageMakers <- struct{}{}
	defer func() { <-pageMakers }()

	sources, release, err := in.pages(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer release()
	if p.Number > len(sources) {
		return nil, fmt.Errorf("archive: record %s has a page %d, its original %d pages",
			rec.ID, p.Number, len(sources))
	}
	return correctedPNG(ctx, sources[p.Number-1], p)
}

// makeScaled makes and stores the viewer's copy and the thumbnail of a
// page from its page image, and returns the one of the kind asked for.
func (in *Ingester) makeScaled(ctx context.Context, sha string, n int, kind ImageKind) (
	[]byte, error) {
	ctx = context.WithoutCancel(ctx) // as in makePage
	v, err, _ := making.Do(makingKey(in.Blobs, PageViewKey(sha, n)), func() (any, error) {
		png, err := in.verifiedPageImage(ctx, sha, n)
		if err != nil {
			return nil, err
		}
		files, err := boundedScaled(png)
		if err != nil {
			err = sijil.Errorf(sijil.Conflict, "archive.page_image_damaged",
				"the stored image of page %d is damaged (%w); restore it and run "+
					"'sijil fixity'", n, err)
			if rec, _, rerr := in.pageRow(ctx, sha, n); rerr == nil {
				in.checkDamaged(ctx, rec.ID, err)
			}
			return nil, err
		}
		for key, data := range map[string][]byte{PageViewKey(sha, n): files.view,
			PageThumbKey(sha, n): files.thumb} {
			err := in.Blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)),
				"image/jpeg")
			if err != nil {
				return nil, fmt.Errorf("archive: storing %s: %w", key, err)
			}
		}
		return files, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(pageFiles).of(kind), nil
}

// boundedScaled is scaledFromPNG holding one of the pageMakers, for it
// decodes the whole page.
func boundedScaled(png []byte) (pageFiles, error) {
	pageMakers <- struct{}{}
	defer func() { <-pageMakers }()
	return scaledFromPNG(png)
}

// pageFiles are the files derived from one page: its PNG for OCR and
// storage and its scaled JPEGs, made from the PNG alone, so that they can
// be made again from the original.
type pageFiles struct {
	png, view, thumb []byte
}

// of returns the scaled copy of the kind.
func (f pageFiles) of(kind ImageKind) []byte {
	if kind == ImageThumb {
		return f.thumb
	}
	return f.view
}

// scaledFromPNG makes the scaled copies of a page from its stored PNG. It
// reads the PNG rather than taking the image it was made from, so that a
// copy made at the first look is the copy ingest or Rederive would make:
// the pixels are the same, and normalise gives back the same form.
func scaledFromPNG(data []byte) (pageFiles, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return pageFiles{}, fmt.Errorf("archive: decoding page image: %w", err)
	}
	files, err := deriveScaled(normalise(img))
	files.png = data
	return files, err
}

// deriveScaled makes the scaled copies of a corrected page image.
func deriveScaled(img image.Image) (pageFiles, error) {
	view := scaleToWidth(img, ViewWidth)
	thumb := scaleToWidth(view, ThumbWidth)
	var (
		files pageFiles
		err   error
	)
	if files.view, err = encodeJPEG(view); err != nil {
		return pageFiles{}, err
	}
	if files.thumb, err = encodeJPEG(thumb); err != nil {
		return pageFiles{}, err
	}
	return files, nil
}

// scaleToWidth returns img scaled down to width pixels, keeping its
// proportions, grey unless it has colour. A narrower image is only
// converted. The bulk of the shrinking is a box filter by a whole factor,
// which averages every source pixel in one pass over the rows; what is
// left is less than a halving, which bilinear interpolation does well.
// x/image/draw's kernel scalers alone took three times as long on a
// 300-dpi page, and held a working buffer of 32 bytes a pixel of the
// target width times the source height: 230 MB on a plan.
func scaleToWidth(img image.Image, width int) image.Image {
	// A shrink no taller than the image, so that a long, thin strip keeps a row.
	src := boxShrink(img, max(1, min(img.Bounds().Dx()/width, img.Bounds().Dy())))
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > width {
		w, h = width, max(1, int(int64(h)*int64(width)/int64(w)))
	}
	r := image.Rect(0, 0, w, h)

	// draw's fast paths write RGBA only; a grey page takes back one channel.
	dst := image.NewRGBA(r)
	draw.ApproxBiLinear.Scale(dst, r, src, b, draw.Src, nil)
	if _, ok := src.(*image.RGBA); ok {
		return dst
	}
	g := image.NewGray(r)
	for i := range g.Pix {
		g.Pix[i] = dst.Pix[4*i]
	}
	return g
}

// boxShrink returns img shrunk by a whole factor f, each pixel the mean of
// an f × f square: an RGBA image in colour, anything else in grey.
func boxShrink(img image.Image, f int) image.Image {
	b := img.Bounds()
	w, h := b.Dx()/f, b.Dy()/f
	rgba, colour := img.(*image.RGBA)
	bpp := 1
	var (
		out image.Image
		pix []byte
	)
	if colour {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		out, pix, bpp = m, m.Pix, 4
	} else {
		m := image.NewGray(image.Rect(0, 0, w, h))
		out, pix = m, m.Pix
	}

	lum := lumaReader(img)
	row := make([]uint8, b.Dx())
	sums := make([]int, w*bpp)
	for y := range h {
		clear(sums)
		for dy := range f {
			sy := y*f + dy
			src := row
			if colour {
				src = rgba.Pix[sy*rgba.Stride:][:b.Dx()*4]
			} else {
				lum(b.Min.Y+sy, row)
			}
			if bpp == 1 { // grey: f neighbours in a row, without a division a pixel
				for x := range w {
					s := 0
					for _, v := range src[x*f : x*f+f] {
						s += int(v)
					}
					sums[x] += s
				}
				continue
			}
			for x := range w * bpp {
				px, c := x/bpp, x%bpp
				for k := range f {
					sums[x] += int(src[(px*f+k)*bpp+c])
				}
			}
		}
		for x, s := range sums {
			pix[y*w*bpp+x] = uint8((s + f*f/2) / (f * f))
		}
	}
	return out
}

// encodeJPEG encodes a scaled page image.
func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, fmt.Errorf("archive: encoding page JPEG: %w", err)
	}
	return buf.Bytes(), nil
}

// Rederive makes the page images of a record again from its stored
// original, with the rotation and skew its rows recorded, and compares
// them with the stored ones byte for byte. It returns nil when every one
// matches, and otherwise an error naming the keys that differ: the
// derived files are only a cache of the original, and this proves it.
// An image not made yet is not compared.
func (in *Ingester) Rederive(ctx context.Context, recordID string) error {
	store := NewStore(in.DB)
	rec, err := store.RecordByID(ctx, recordID)
	if err != nil {
		return err
	}
	rows, err := store.Pages(ctx, recordID)
	if err != nil {
		return err
	}
	sources, _, done, err := in.originalPages(ctx, rec)
	if err != nil {
		return err
	}
	defer done()
	if len(sources) != len(rows) {
		return fmt.Errorf("archive: record %s has %d page rows, its original %d pages",
			recordID, len(rows), len(sources))
	}

	var differ []string
	for i, p := range rows {
		keys, err := in.rederivePage(ctx, rec.SHA256, sources[i], p)
		if err != nil {
			return err
		}
		differ = append(differ, keys...)
	}
	if len(differ) > 0 {
		return fmt.Errorf("archive: record %s: derived files differ from the original's: %s",
			recordID, strings.Join(differ, ", "))
	}
	return nil
}

// rederivePage returns the keys of the images of one page that differ
// from what its original makes.
func (in *Ingester) rederivePage(ctx context.Context, sha string, src pageSource,
	p Page) ([]string, error) {
	data, err := correctedPNG(ctx, src, p)
	if err != nil {
		return nil, err
	}
	files, err := scaledFromPNG(data)
	if err != nil {
		return nil, err
	}

	var differ []string
	for key, want := range map[string][]byte{p.ImageKey: files.png,
		PageViewKey(sha, p.Number): files.view, PageThumbKey(sha, p.Number): files.thumb} {
		got, err := readBlob(ctx, in.Blobs, key)
		if errors.Is(err, ErrBlobNotFound) {
			continue // not made yet: nothing differs
		}
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(got, want) {
			differ = append(differ, key)
		}
	}
	slices.Sort(differ)
	return differ, nil
}

// correctedPNG decodes a page of an original and corrects it as its row
// says ingest did, to the PNG that is its page image.
func correctedPNG(ctx context.Context, src pageSource, p Page) ([]byte, error) {
	scan, err := src.decode(ctx)
	if err != nil {
		return nil, err
	}
	fix := correction{rotation: p.Rotation, skew: p.Skew}
	img, err := fix.apply(normalise(scan), nil)
	if err != nil {
		return nil, err
	}
	// Another size would misplace every word box: the page was read under
	// other limits (MaxOCRPixels) than these.
	if b := img.Bounds(); b.Dx() != p.Width || b.Dy() != p.Height {
		return nil, fmt.Errorf("archive: page %d comes out of its original %d × %d, "+
			"its row says %d × %d: it was archived under other limits", p.Number,
			b.Dx(), b.Dy(), p.Width, p.Height)
	}
	return encodePNG(img)
}

// originalPages copies a record's original out of the store into a temp
// folder, dir, checking it against its hash on the way, and splits it into
// pages; done removes the copy.
func (in *Ingester) originalPages(ctx context.Context, rec Record) (
	sources []pageSource, dir string, done func(), err error) {
	dir, err = os.MkdirTemp(in.TempDir, "sijil-original-*")
	if err != nil {
		return nil, "", nil, fmt.Errorf("archive: temp folder: %w", err)
	}
	f, err := fetchOriginal(ctx, in.Blobs, rec, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	done = func() {
		f.Close()
		os.RemoveAll(dir)
	}
	sources, err = splitPages(ctx, f, rec.SizeBytes, rec.MediaType,
		in.Limits.withDefaults(), dir)
	if err != nil {
		done()
		return nil, "", nil, err
	}
	return sources, dir, done, nil
}

// fetchOriginal copies the stored original of a record into a file in dir.
// A copy whose hash is not the record's is refused: an image made from a
// damaged original would pass for the record's.
func fetchOriginal(ctx context.Context, blobs Blobs, rec Record, dir string) (*os.File, error) {
	rc, err := blobs.Get(ctx, OriginalKey(rec.SHA256))
	if errors.Is(err, ErrBlobNotFound) {
		return nil, sijil.Errorf(sijil.Conflict, "archive.original_missing",
			"the stored original of record %s is missing; restore it and run "+
				"'sijil fixity'", rec.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: original of %s: %w", rec.ID, err)
	}
	defer rc.Close()

	f, err := os.CreateTemp(dir, "original-*")
	if err != nil {
		return nil, fmt.Errorf("archive: copying original: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), rc); err != nil {
		f.Close()
		return nil, fmt.Errorf("archive: copying original of %s: %w", rec.ID, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != rec.SHA256 {
		f.Close()
		return nil, sijil.Errorf(sijil.Conflict, "archive.original_damaged",
			"the stored original of record %s is damaged (its SHA-256 is now %s); "+
				"restore it and run 'sijil fixity'", rec.ID, got)
	}
	return f, nil
}
