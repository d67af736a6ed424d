package archive

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkPrepareForOCR times, stage by stage, the work Go does on a page
// of each upright real scan before Tesseract reads it: decoding it (for
// the PDF, pdfimages' extraction of its scan), taking its colours away,
// estimating its skew, and levelling it into the file Tesseract reads.
// This is what bulk ingest adds to Tesseract's own time on nearly every
// page (BenchmarkBulkIngestVsTesseract measures the whole), and what the
// ingest budget leaves about 60 ms a page for.
func BenchmarkPrepareForOCR(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"building-administration.tif",
		"building-administration-scan.pdf", "building-administration-photo.jpg"} {
		path := filepath.Join("..", "..", "shared", "samples", "scans", name)
		src := firstPageSource(b, path)
		decoded, err := src.decode(ctx)
		if err != nil {
			b.Fatal(err)
		}
		scan := newOCRScan(forOCR(decoded))
		skew := scan.skew()
		out := filepath.Join(b.TempDir(), "page"+ocrExt(scan.img))

		b.Run(name+"/decode", func(b *testing.B) {
			for b.Loop() {
				if _, err := src.decode(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/pack and skew", func(b *testing.B) {
			for b.Loop() {
				s := newOCRScan(scan.img)
				s.skew()
				s.release()
			}
		})
		b.Run(name+"/level and write", func(b *testing.B) {
			for b.Loop() {
				if _, err := writeCorrected(scan, &correction{skew: skew}, out); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/all", func(b *testing.B) {
			for b.Loop() {
				decoded, err := src.decode(ctx)
				if err != nil {
					b.Fatal(err)
				}
				scan := newOCRScan(forOCR(decoded))
				fix := correction{skew: scan.skew()}
				_, err = writeCorrected(scan, &fix, out)
				scan.release()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// firstPageSource splits the scan at path as ingest does and returns its
// first page, not yet decoded.
func firstPageSource(b *testing.B, path string) pageSource {
	f, pages, err := openPages(context.Background(), path, Limits{}, b.TempDir())
	if err != nil {
		b.Fatalf("the shared sample %s: %v", path, err)
	}
	b.Cleanup(func() { f.Close() })
	return pages[0]
}

// BenchmarkSplitPDF times what splitting a one-page scanned PDF costs
// before any page is decoded: poppler's tools, run as child processes.
func BenchmarkSplitPDF(b *testing.B) {
	path := filepath.Join("..", "..", "shared", "samples", "scans",
		"building-administration-scan.pdf")
	for b.Loop() {
		firstPageSource(b, path)
	}
}
