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
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head := make([]byte, sniffLen)
	n, _ := f.ReadAt(head, 0)
	media, err := Sniff(head[:n])
	if err != nil {
		return nil, err
	}

	pages, err := splitPages(ctx, f, st.Size(), media, lim.withDefaults(), os.TempDir())
	if err != nil {
		return nil, err
	}
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
