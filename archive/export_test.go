package archive

import (
	"context"
	"image"
	"os"
	"time"
)

// DecodePages decodes every page of the scan at path, for tests of the
// splitter that need no OCR.
func DecodePages(ctx context.Context, path string, lim Limits) ([]image.Image, error) {
	f, pages, err := openPages(ctx, path, lim, os.TempDir())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var imgs []image.Image
	for _, p := range pages {
		img, err := p.decode(ctx)
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	return imgs, nil
}

// openPages opens the scan at path and splits it into pages as ingest
// does, not yet decoded; the file stays open for their decoding.
func openPages(ctx context.Context, path string, lim Limits, tmp string) (f *os.File,
	pages []pageSource, err error) {
	if f, err = os.Open(path); err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()

	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	head := make([]byte, sniffLen)
	n, _ := f.ReadAt(head, 0)
	media, err := Sniff(head[:n])
	if err != nil {
		return nil, nil, err
	}
	pages, err = splitPages(ctx, f, st.Size(), media, lim.withDefaults(), tmp)
	if err != nil {
		return nil, nil, err
	}
	return f, pages, nil
}

// SetToolTimeout shortens the outside tools' time limit for a test.
func SetToolTimeout(d time.Duration) (restore func()) {
	old := toolTimeout
	toolTimeout = d
	return func() { toolTimeout = old }
}

// DeriveScaled makes the viewer's copy and the thumbnail of a corrected
// page image, for the benchmark of scaling.
func DeriveScaled(img image.Image) error {
	_, err := deriveScaled(img)
	return err
}
