package archive_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // the viewer's images are JPEG
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// checkDerived checks what the viewer reads of every page of an ingest:
// word boxes that lie on the page image and spell its text, a confidence
// that says the page was read upright, and the scaled images.
func checkDerived(t *testing.T, f *fixture, got ingested) {
	t.Helper()
	ctx := context.Background()
	for _, p := range got.pages {
		pw, err := archive.LoadWords(ctx, f.in.Blobs, got.rec.SHA256, p.Number)
		if err != nil {
			t.Fatalf("page %d words: %v", p.Number, err)
		}
		if pw.Width != p.Width || pw.Height != p.Height {
			t.Errorf("page %d: words are for %d × %d, the page is %d × %d",
				p.Number, pw.Width, pw.Height, p.Width, p.Height)
		}
		if len(pw.Words) < 10 {
			t.Errorf("page %d: only %d words", p.Number, len(pw.Words))
		}
		inText := 0
		for _, w := range pw.Words {
			if w.X < 0 || w.Y < 0 || w.W <= 0 || w.H <= 0 ||
				w.X+w.W > p.Width || w.Y+w.H > p.Height {
				t.Errorf("page %d: word %q has box %d,%d %d×%d outside the page",
					p.Number, w.Text, w.X, w.Y, w.W, w.H)
			}
			if strings.Contains(p.Text, w.Text) {
				inText++
			}
		}
		if inText < len(pw.Words)*9/10 {
			t.Errorf("page %d: only %d of %d words are in the page text", p.Number,
				inText, len(pw.Words))
		}
		if p.Confidence < 60 || p.Confidence > 100 {
			t.Errorf("page %d: mean confidence %d; an upright page reads at 60 or more",
				p.Number, p.Confidence)
		}

		for _, want := range []struct {
			kind  archive.ImageKind
			width int
		}{
			{archive.ImagePage, p.Width},
			{archive.ImageView, min(p.Width, archive.ViewWidth)},
			{archive.ImageThumb, min(p.Width, archive.ThumbWidth)},
		} {
			rc, _, err := f.in.PageImage(ctx, got.rec.SHA256, p.Number, want.kind)
			if err != nil {
				t.Fatalf("page %d %s image: %v", p.Number, want.kind, err)
			}
			cfg, _, err := image.DecodeConfig(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("page %d %s image: %v", p.Number, want.kind, err)
			}
			if cfg.Width != want.width {
				t.Errorf("page %d %s image is %d wide, want %d", p.Number, want.kind,
					cfg.Width, want.width)
			}
		}
	}
}

// TestDerivedFilesComeFromTheOriginal makes every derived image again
// from the stored original and compares, then damages one and checks
// that the difference is named.
func TestDerivedFilesComeFromTheOriginal(t *testing.T) {
	page := textPage(t, pageLines)
	f := newBlobFixture(t)
	skewed := convert(t, writeTemp(t, encodePNG(t, page)), "-background", "white",
		"-rotate", "182")
	got := f.mustIngest(t, skewed, "turned.png")
	if p := got.pages[0]; p.Rotation != 180 || p.Skew == 0 {
		t.Fatalf("rotation %d and skew %.2f; the test needs both", p.Rotation, p.Skew)
	}
	ctx := context.Background()

	for _, kind := range []archive.ImageKind{archive.ImagePage, archive.ImageView,
		archive.ImageThumb} {
		rc, _, err := f.in.PageImage(ctx, got.rec.SHA256, 1, kind)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	// The images made at the first look are the ones the original makes.
	if err := f.in.Rederive(ctx, got.rec.ID); err != nil {
		t.Fatal(err)
	}

	thumb := archive.PageThumbKey(got.rec.SHA256, 1)
	f.overwrite(t, thumb, []byte("not the thumbnail"))
	err := f.in.Rederive(ctx, got.rec.ID)
	if err == nil || !strings.Contains(err.Error(), thumb) {
		t.Errorf("Rederive after the thumbnail was overwritten: %v", err)
	}
}

// TestImagesAreMadeAtTheFirstLook: ingest stores no page image, viewer's
// copy or thumbnail, fixity does not take their absence for a loss, and
// the first look makes and keeps them, at the viewer's sizes, with the
// page image's hash recorded, so that damage to it is caught.
func TestImagesAreMadeAtTheFirstLook(t *testing.T) {
	f := newBlobFixture(t)
	blobs := f.in.Blobs
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	ctx := context.Background()
	pageKey := archive.PageImageKey(got.rec.SHA256, 1)
	keys := []string{pageKey, archive.PageViewKey(got.rec.SHA256, 1),
		archive.PageThumbKey(got.rec.SHA256, 1)}
	for _, key := range keys {
		if _, err := blobs.Stat(ctx, key); !errors.Is(err, archive.ErrBlobNotFound) {
			t.Errorf("%s after ingest: %v, want not made yet", key, err)
		}
	}
	fx := &archive.Fixity{Blobs: blobs, DB: f.db, Log: f.in.Log}
	if rep, err := fx.CheckAll(ctx); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("fixity before the first look: %+v, %v", rep.Problems, err)
	}

	var first []byte
	for range 2 {
		rc, media, err := f.in.PageImage(ctx, got.rec.SHA256, 1, archive.ImageView)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || media != "image/jpeg" ||
			cfg.Width != min(got.pages[0].Width, archive.ViewWidth) {
			t.Fatalf("the first look gave a %s of %+v (%v)", media, cfg, err)
		}
		if first != nil && !bytes.Equal(b, first) {
			t.Error("the second look gave other bytes than the first")
		}
		first = b
	}
	for _, key := range keys {
		if _, err := blobs.Stat(ctx, key); err != nil {
			t.Errorf("%s after the first look: %v, want kept", key, err)
		}
	}
	if rep, err := fx.CheckAll(ctx); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("fixity after the first look: %+v, %v", rep.Problems, err)
	}

	// The hash recorded at the making catches an image replaced since, even
	// by another valid PNG.
	f.overwrite(t, pageKey, encodePNG(t, textPage(t, []string{"Another page"})))
	rep, err := fx.CheckAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Key != pageKey ||
		rep.Problems[0].Kind == archive.EventFixityOK {
		t.Errorf("fixity after the page image was replaced: %+v", rep.Problems)
	}
}

// TestNoImageIsMadeFromADamagedOriginal: an image made from an original
// that is not the archived one would pass for the record's page; one whose
// original is gone says so. The pages of a record asked for together, as
// a record page's thumbnails are, find the damage with one check.
func TestNoImageIsMadeFromADamagedOriginal(t *testing.T) {
	f := newBlobFixture(t)
	ctx := context.Background()
	page := textPage(t, pageLines)
	got := f.mustIngest(t, multiTIFF(page, page, page), "register.tif")

	original := archive.OriginalKey(got.rec.SHA256)
	f.overwrite(t, original, encodePNG(t, textPage(t, []string{"Forged page"})))
	var wg sync.WaitGroup
	for n := 1; n <= 3; n++ {
		wg.Go(func() {
			_, _, err := f.in.PageImage(ctx, got.rec.SHA256, n, archive.ImageThumb)
			wantKind(t, err, sijil.Conflict, "archive.original_damaged")
		})
	}
	wg.Wait()
	_, _, err := f.in.PageImage(ctx, got.rec.SHA256, 1, archive.ImagePage)
	wantKind(t, err, sijil.Conflict, "archive.original_damaged")
	key := archive.PageImageKey(got.rec.SHA256, 1)
	if _, err := f.in.Blobs.Stat(ctx, key); !errors.Is(err, archive.ErrBlobNotFound) {
		t.Errorf("%s after refusing to make it: %v, want not made", key, err)
	}

	// The damage found is a fixity finding, recorded and acted on at once.
	if blocked, err := f.store.OriginalBlocked(ctx, got.rec.ID); err != nil || !blocked {
		t.Errorf("the record with a forged original is not blocked (%v)", err)
	}
	events, err := f.store.Events(ctx, got.rec.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	failures := 0
	for _, e := range events {
		if strings.HasPrefix(e.Kind, "fixity.") && e.Kind != archive.EventFixityOK &&
			e.ObjectKey == original {
			failures++
		}
	}
	if failures != 1 {
		t.Errorf("%d fixity failures of the original, want the one check's", failures)
	}

	g := newBlobFixture(t)
	other := g.mustIngest(t, encodePNG(t, page), "page.png")
	mustDo(t, os.Remove(g.path(archive.OriginalKey(other.rec.SHA256))))
	_, _, err = g.in.PageImage(ctx, other.rec.SHA256, 1, archive.ImageView)
	wantKind(t, err, sijil.Conflict, "archive.original_missing")
}

// TestCertifiedPageIsTheOneMade: a certified copy takes a page image only
// with the bytes recorded when it was made; another, even a valid PNG, is
// refused and its record blocked.
func TestCertifiedPageIsTheOneMade(t *testing.T) {
	f := newBlobFixture(t)
	ctx := context.Background()
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	made, err := f.in.CertifiablePage(ctx, got.rec.SHA256, 1)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.in.CertifiablePage(ctx, got.rec.SHA256, 1)
	if err != nil || !bytes.Equal(again, made) {
		t.Fatalf("the second certifiable page differs (%v)", err)
	}

	f.overwrite(t, archive.PageImageKey(got.rec.SHA256, 1),
		encodePNG(t, textPage(t, []string{"Another page"})))
	_, err = f.in.CertifiablePage(ctx, got.rec.SHA256, 1)
	wantKind(t, err, sijil.Conflict, "archive.page_image_damaged")
	if blocked, err := f.store.OriginalBlocked(ctx, got.rec.ID); err != nil || !blocked {
		t.Errorf("the record with a replaced page image is not blocked (%v)", err)
	}
}

// TestViewerLoadersRefuseWhatIsNotThere checks that the loaders the
// viewer calls answer NotFound, not a server error, for a page, a kind or
// a hash that is not there, and for a hash that is no hash.
func TestViewerLoadersRefuseWhatIsNotThere(t *testing.T) {
	f := newFixture(t, "eng")
	blobs, err := archive.NewFolderBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.in.Blobs = blobs
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	ctx := context.Background()
	absent := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		sha  string
		page int
		kind archive.ImageKind
	}{
		{"absent record", absent, 1, archive.ImageView},
		{"absent page image", absent, 1, archive.ImagePage},
		{"page after the last", got.rec.SHA256, 2, archive.ImagePage},
		{"page 0", absent, 0, archive.ImageThumb},
		{"unknown kind", absent, 1, "original"},
		{"path in the hash", "../../originals/" + absent[:48], 1, archive.ImagePage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := archive.LoadWords(ctx, blobs, tt.sha, tt.page)
			wantKind(t, err, sijil.NotFound, "archive.words_not_found")
			_, _, err = f.in.PageImage(ctx, tt.sha, tt.page, tt.kind)
			wantKind(t, err, sijil.NotFound, "archive.page_image_not_found")
		})
	}
}

// TestDamagedPageImageIsReportedAndBlocked: a page image that no longer
// decodes gives the viewer a reason instead of a server error, and its
// record is checked and blocked at once.
func TestDamagedPageImageIsReportedAndBlocked(t *testing.T) {
	f := newBlobFixture(t)
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	ctx := context.Background()
	rc, _, err := f.in.PageImage(ctx, got.rec.SHA256, 1, archive.ImagePage)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()

	key := archive.PageImageKey(got.rec.SHA256, 1)
	b, err := os.ReadFile(f.path(key))
	mustDo(t, err)
	b[len(b)/2] ^= 0xff
	f.overwrite(t, key, b)
	_, _, err = f.in.PageImage(ctx, got.rec.SHA256, 1, archive.ImageThumb)
	wantKind(t, err, sijil.Conflict, "archive.page_image_damaged")
	if blocked, err := f.store.OriginalBlocked(ctx, got.rec.ID); err != nil || !blocked {
		t.Errorf("the record with a damaged page image is not blocked (%v)", err)
	}
}

// TestViewerCopiesComeOnlyFromTheMadePage: a viewer's copy is not made
// from a page image that is not the one made from the original, which it
// would otherwise show, and which fixity would then take for its baseline.
func TestViewerCopiesComeOnlyFromTheMadePage(t *testing.T) {
	f := newBlobFixture(t)
	ctx := context.Background()
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	look(t, f, got, archive.ImagePage)
	f.overwrite(t, got.pages[0].ImageKey, encodePNG(t, textPage(t, []string{"Forged"})))

	_, _, err := f.in.PageImage(ctx, got.rec.SHA256, 1, archive.ImageView)
	wantKind(t, err, sijil.Conflict, "archive.page_image_damaged")
	view := archive.PageViewKey(got.rec.SHA256, 1)
	if _, err := f.in.Blobs.Stat(ctx, view); !errors.Is(err, archive.ErrBlobNotFound) {
		t.Errorf("%s was made from the forged page image (%v)", view, err)
	}
}

// TestPageImageWithoutHashIsComparedWithTheOriginal: a page image whose
// hash was never recorded (made before hashes were, or whose recording
// failed) is certified only once it is found to be the one its original
// makes, and its hash is recorded then.
func TestPageImageWithoutHashIsComparedWithTheOriginal(t *testing.T) {
	f := newBlobFixture(t)
	ctx := context.Background()
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	key := got.pages[0].ImageKey
	forget := func() {
		t.Helper()
		if _, err := f.db.ExecContext(ctx, `DELETE FROM fixity_baselines
			WHERE object_key = $1`, key); err != nil {
			t.Fatal(err)
		}
	}
	look(t, f, got, archive.ImagePage)
	forget()
	if _, err := f.in.CertifiablePage(ctx, got.rec.SHA256, 1); err != nil {
		t.Fatalf("a page image without its hash, as its original makes it: %v", err)
	}
	var n int
	if err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM fixity_baselines
		WHERE object_key = $1`, key).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d hashes recorded for the page image (%v), want 1", n, err)
	}

	forget()
	f.overwrite(t, key, encodePNG(t, textPage(t, []string{"Forged"})))
	_, err := f.in.CertifiablePage(ctx, got.rec.SHA256, 1)
	wantKind(t, err, sijil.Conflict, "archive.page_image_damaged")
}

// TestWordBoxesLieOnTheWriting: Tesseract is given only the band of a
// page that holds writing (see inkBand), and the word boxes kept are
// still in the whole page's pixels, where the viewer draws a hit: on a
// page blank above and below its lines, in grey and in black and white.
func TestWordBoxesLieOnTheWriting(t *testing.T) {
	text := textPage(t, pageLines)
	const top = 1200 // the rows of blank paper above the writing
	grey := image.NewGray(image.Rect(0, 0, text.Rect.Dx(), top+2*text.Rect.Dy()))
	draw.Draw(grey, grey.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(grey, text.Rect.Add(image.Pt(0, top)), text, image.Point{}, draw.Src)
	bw := image.NewPaletted(grey.Rect, color.Palette{color.Black, color.White})
	draw.Draw(bw, bw.Rect, grey, image.Point{}, draw.Src)

	for name, page := range map[string]image.Image{"grey.png": grey, "bilevel.png": bw} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "eng")

			got := f.mustIngest(t, encodePNG(t, page), name)

			pw, err := archive.LoadWords(context.Background(), f.in.Blobs, got.rec.SHA256, 1)
			if err != nil {
				t.Fatal(err)
			}
			// textPage draws line i with its baseline at row 150 + 70·i, the
			// line of "bakery" being the third; its letters rise ~30 rows.
			baseline := top + 150 + 2*70
			i := slices.IndexFunc(pw.Words, func(w archive.Word) bool { return w.Text == "bakery" })
			if i < 0 {
				t.Fatalf("no word \"bakery\" among %+v", pw.Words)
			}
			if w := pw.Words[i]; w.Y < baseline-40 || w.Y > baseline-20 ||
				w.Y+w.H < baseline || w.Y+w.H > baseline+20 {
				t.Errorf("\"bakery\" boxed at rows %d to %d; its baseline is row %d",
					w.Y, w.Y+w.H, baseline)
			}
		})
	}
}
