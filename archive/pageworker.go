package archive

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
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

func (in *Ingester) readPage(ctx context.Context, sha string, src pageSource,
	tmp string) (Page, error) {
	start := time.Now()
	img, err := src.decode(ctx)
	if err != nil {
		return Page{}, err
	}
	img = normalise(img)
	path := filepath.Join(tmp, "page-"+strconv.Itoa(src.number)+".png")
	defer os.Remove(path)
	data, err := writePNG(img, path)
	if err != nil {
		return Page{}, err
	}

	rot, err := in.ocr().Orientation(ctx, path)
	if err != nil {
		return Page{}, fmt.Errorf("archive: orientation of page %d: %w", src.number, err)
	}
	if rot != 0 {
		if img, err = rotate(img, rot); err != nil {
			return Page{}, err
		}
		if data, err = writePNG(img, path); err != nil {
			return Page{}, err
		}
	}

	text, err := in.ocr().Text(ctx, path, in.languages())
	if err != nil {
		return Page{}, fmt.Errorf("archive: OCR of page %d: %w", src.number, err)
	}

	p := Page{Number: src.number, Width: img.Bounds().Dx(), Height: img.Bounds().Dy(),
		Rotation: rot, ImageKey: PageImageKey(sha, src.number),
		TextKey: PageTextKey(sha, src.number), Text: text, Confidence: -1}
	if err := in.putPage(ctx, p, data); err != nil {
		return Page{}, err
	}
	in.log().DebugContext(ctx, "archive read a page", "sha256", sha, "page", p.Number,
		"rotation", rot, "duration_ms", time.Since(start).Milliseconds())
	return p, nil
}

// putPage stores a page's image and text blobs.
func (in *Ingester) putPage(ctx context.Context, p Page, png []byte) error {
	err := in.Blobs.Put(ctx, p.ImageKey, bytes.NewReader(png), int64(len(png)), "image/png")
	if err != nil {
		return fmt.Errorf("archive: storing page %d image: %w", p.Number, err)
	}
	err = in.Blobs.Put(ctx, p.TextKey, bytes.NewReader([]byte(p.Text)), int64(len(p.Text)),
		"text/plain; charset=utf-8")
	if err != nil {
		return fmt.Errorf("archive: storing page %d text: %w", p.Number, err)
	}
	return nil
}

// writePNG encodes img as PNG to path for Tesseract and returns the bytes
// for storage.
func writePNG(img image.Image, path string) ([]byte, error) {
	data, err := encodePNG(img)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("archive: writing page for tesseract: %w", err)
	}
	return data, nil
}
