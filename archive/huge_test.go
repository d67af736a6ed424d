package archive_test

import (
	"bytes"
	"context"
	"database/sql"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/sijil-municipality/sijil/archive"
)

// planWidth × planHeight is a bi-level plan of 108 million pixels, above
// the default OCR budget of 40 million and under the refusal at 250.
const planWidth, planHeight = 12000, 9000

// TestHugePlanIsReadScaledDown ingests a plan too large to OCR at full
// size, as a PNG and as a CCITT G4 TIFF, and checks that it is read and
// shown scaled to the budget, its text readable, its original kept.
func TestHugePlanIsReadScaledDown(t *testing.T) {
	plan := planPNG(t)
	tiff := vipsCopy(t, plan, "[compression=ccittfax4,bitdepth=1]", ".tif")
	// An A0 sheet is 2384 × 3370 points: 139 Mpx at 300 dpi.
	pdf := sizedTextPDF(pageLines, 2384, 3370, 28)
	for _, tt := range []struct {
		name string
		data []byte
	}{{"plan.png", plan}, {"plan.tif", tiff}, {"plan.pdf", pdf}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "eng")

			got := f.mustIngest(t, tt.data, tt.name)

			p := got.pages[0]
			if px := int64(p.Width) * int64(p.Height); px > archive.DefaultMaxOCRPixels ||
				px < archive.DefaultMaxOCRPixels*9/10 {
				t.Errorf("page read at %d × %d; want about %d pixels", p.Width, p.Height,
					archive.DefaultMaxOCRPixels)
			}
			for _, w := range []string{"ARCHIVE", "bakery", "parcel"} {
				if !strings.Contains(p.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, p.Text)
				}
			}
			if got.rec.SizeBytes != int64(len(tt.data)) {
				t.Errorf("original stored as %d bytes, uploaded %d", got.rec.SizeBytes,
					len(tt.data))
			}
			ctx := context.Background()
			if tt.name == "plan.png" {
				// Under other limits the page would come out another size,
				// and every word box would be misplaced on it.
				other := *f.in
				other.Limits.MaxOCRPixels = archive.DefaultMaxOCRPixels / 2
				_, _, err := other.PageImage(ctx, got.rec.SHA256, 1, archive.ImagePage)
				if err == nil || !strings.Contains(err.Error(), "other limits") {
					t.Errorf("a page image made under other limits: %v", err)
				}
			}
			rc, _, err := f.in.PageImage(ctx, got.rec.SHA256, 1, archive.ImageThumb)
			if err != nil {
				t.Fatalf("the first look at the plan: %v", err)
			}
			rc.Close()
			if err := f.in.Rederive(ctx, got.rec.ID); err != nil {
				t.Error(err)
			}
		})
	}
}

// BenchmarkIngestHugePlan measures the time and the peak memory of
// ingesting the 108-million-pixel plan: of this process (Go's decoding,
// deskew, scaling) and of the largest tool it ran (vipsthumbnail,
// tesseract).
func BenchmarkIngestHugePlan(b *testing.B) {
	plan := planPNG(b)
	for b.Loop() {
		in := benchIngester(b)
		if _, _, err := in.Ingest(context.Background(), bytes.NewReader(plan),
			archive.Metadata{Filename: "plan.png"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(maxRSS(b, syscall.RUSAGE_SELF), "self-peak-MB")
	b.ReportMetric(maxRSS(b, syscall.RUSAGE_CHILDREN), "tool-peak-MB")
}

// benchIngester is an Ingester on a fresh folder and SQLite database.
func benchIngester(b *testing.B) *archive.Ingester {
	b.Helper()
	blobs, err := archive.NewFolderBlobs(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "sijil.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := archive.Migrate(context.Background(), db, "sqlite"); err != nil {
		b.Fatal(err)
	}
	return &archive.Ingester{Blobs: blobs, DB: db, Index: &recordingIndex{},
		Languages: []string{"eng"}, TempDir: b.TempDir(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func maxRSS(tb testing.TB, who int) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		tb.Fatal(err)
	}
	return float64(ru.Maxrss) / 1024 // Linux reports kilobytes
}

// planPNG encodes the plan as a 1-bit PNG without holding its pixels:
// the PNG encoder asks a planImage for them row by row.
func planPNG(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, newPlanImage(tb)); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// planImage is a white plan with the test lines drawn large twice, far
// apart, as a plan's title block and a note are.
type planImage struct {
	text *image.Gray
	at   []image.Point
}

func newPlanImage(tb testing.TB) *planImage {
	tb.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		tb.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 110, DPI: 72})
	if err != nil {
		tb.Fatal(err)
	}
	defer face.Close()

	text := image.NewGray(image.Rect(0, 0, 3000, 1000))
	draw.Draw(text, text.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: text, Src: image.Black, Face: face}
	for i, line := range pageLines {
		d.Dot = fixed.P(50, 150+i*170)
		d.DrawString(line)
	}
	return &planImage{text: text, at: []image.Point{{600, 500}, {7500, 7200}}}
}

var planPalette = color.Palette{color.Gray{Y: 0}, color.Gray{Y: 0xff}}

func (m *planImage) ColorModel() color.Model { return planPalette }
func (m *planImage) Bounds() image.Rectangle {
	return image.Rect(0, 0, planWidth, planHeight)
}
func (m *planImage) At(x, y int) color.Color { return planPalette[m.ColorIndexAt(x, y)] }

func (m *planImage) ColorIndexAt(x, y int) uint8 {
	for _, o := range m.at {
		p := image.Pt(x, y).Sub(o)
		if p.In(m.text.Rect) && m.text.GrayAt(p.X, p.Y).Y < 128 {
			return 0
		}
	}
	return 1
}

// vipsCopy converts an image with libvips, streaming, to one grey band
// and then into a file of the extension with the save options, and
// returns its bytes.
func vipsCopy(tb testing.TB, data []byte, options, ext string) []byte {
	tb.Helper()
	if _, err := exec.LookPath("vips"); err != nil {
		tb.Fatal("vips is missing; install the Debian package libvips-tools")
	}
	dir := tb.TempDir()
	in, grey := filepath.Join(dir, "in"), filepath.Join(dir, "grey.v")
	out := filepath.Join(dir, "out"+ext)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	for _, args := range [][]string{
		{"colourspace", in, grey, "b-w"},
		{"copy", grey, out + options},
	} {
		if msg, err := exec.Command("vips", args...).CombinedOutput(); err != nil {
			tb.Fatalf("vips %v: %v: %s", args, err, msg)
		}
	}
	conv, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return conv
}
