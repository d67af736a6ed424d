package archive_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

func TestDecodePagesOfSamples(t *testing.T) {
	dir := samplesDir(t)
	if dir == "" {
		t.Log("no shared samples; the generated inputs of TestIngest cover the splitter")
		return
	}
	tests := []struct {
		file  string
		pages int
	}{
		{"building-administration.tif", 1},
		{"building-administration-2pages.tif", 2},
		{"building-administration-scan.pdf", 1},
		{"building-administration-photo.jpg", 1},
		{"latin/8087_054.3B.tif", 1},
		{"latin/eurotext.tif", 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			imgs, err := archive.DecodePages(context.Background(),
				filepath.Join(dir, "scans", tt.file), archive.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(imgs) != tt.pages {
				t.Fatalf("got %d pages, want %d", len(imgs), tt.pages)
			}
			for i, img := range imgs {
				t.Logf("page %d: %T %v", i+1, img, img.Bounds())
			}
		})
	}
}
