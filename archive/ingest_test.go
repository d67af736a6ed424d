package archive_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/archive"
)

// recordingIndex is an archive.Indexer that keeps what it was given, and
// how many batches it was given it in.
type recordingIndex struct {
	mu      sync.Mutex
	pages   []archive.PageText
	batches int
	err     error
	// refuseBatches fails every call of more than one page, as a batch
	// with one bad page in it fails whole.
	refuseBatches bool
}

func (x *recordingIndex) IndexPages(_ context.Context, pages []archive.PageText) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.batches++
	if x.refuseBatches && len(pages) > 1 {
		return errors.New("a page of the batch is refused")
	}
	if x.err == nil {
		x.pages = append(x.pages, pages...)
	}
	return x.err
}

type fixture struct {
	in    *archive.Ingester
	db    *sql.DB
	store *archive.Store
	index *recordingIndex
}

func newFixture(t *testing.T, languages ...string) *fixture {
	t.Helper()
	// A missing engine or language fails here, naming its Debian package.
	langs := []string{"ara", "eng"}
	if err := (archive.Tesseract{}).Check(context.Background(), langs); err != nil {
		t.Fatal(err)
	}
	blobs, err := archive.NewFolderBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	index := &recordingIndex{}
	in := &archive.Ingester{
		Blobs:     blobs,
		DB:        db,
		Index:     index,
		Workers:   1, // subtests run in parallel already
		Languages: languages,
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		TempDir:   t.TempDir(),
	}
	return &fixture{in: in, db: db, store: archive.NewStore(db), index: index}
}

// ingested is what one ingest left behind, read back from the store.
type ingested struct {
	rec   archive.Record
	pages []archive.Page
}

// mustIngest ingests data and checks everything that must hold for any
// successful ingest: rows, blobs and index entries agree.
func (f *fixture) mustIngest(t *testing.T, data []byte, name string) ingested {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	rec, existed, err := f.in.Ingest(ctx, bytes.NewReader(data),
		archive.Metadata{Filename: name, RecordType: "building_permit", Reference: "REF-1",
			Title: "test " + name})
	if err != nil {
		t.Fatalf("Ingest(%s): %v", name, err)
	}
	if existed {
		t.Fatalf("Ingest(%s): existed on first ingest", name)
	}

	pages, err := f.store.Pages(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d pages in %v (%v/page)", name, len(pages), time.Since(start),
		time.Since(start)/time.Duration(max(len(pages), 1)))
	got, err := f.store.RecordByID(ctx, rec.ID)
	if err != nil || !reflect.DeepEqual(got, rec) {
		t.Fatalf("RecordByID = %+v, %v; want %+v", got, err, rec)
	}
	if len(pages) != rec.PageCount || len(f.index.pages) != rec.PageCount {
		t.Fatalf("%d page rows and %d indexed pages for page_count %d",
			len(pages), len(f.index.pages), rec.PageCount)
	}
	f.checkBlobs(t, rec, pages)
	return ingested{rec: rec, pages: pages}
}

func (f *fixture) checkBlobs(t *testing.T, rec archive.Record, pages []archive.Page) {
	t.Helper()
	ctx := context.Background()
	if n, err := f.in.Blobs.Stat(ctx, archive.OriginalKey(rec.SHA256)); err != nil ||
		n != rec.SizeBytes {
		t.Errorf("original blob: %d bytes, %v; want %d", n, err, rec.SizeBytes)
	}
	for _, p := range pages {
		// The page image is made at its first look (TestImagesAreMadeAtTheFirstLook).
		if _, err := f.in.Blobs.Stat(ctx, p.ImageKey); !errors.Is(err, archive.ErrBlobNotFound) {
			t.Errorf("page %d image after ingest: %v, want not made yet", p.Number, err)
		}
		rc, err := f.in.Blobs.Get(ctx, p.TextKey)
		if err != nil {
			t.Fatalf("page %d text: %v", p.Number, err)
		}
		text, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(text) != p.Text {
			t.Errorf("page %d text blob differs from its row (%v)", p.Number, err)
		}
	}
}

// countRows returns the number of records and pages in the database.
func (f *fixture) countRows(t *testing.T) (records, pages int) {
	t.Helper()
	err := f.db.QueryRow(`SELECT (SELECT COUNT(*) FROM records),
		(SELECT COUNT(*) FROM pages)`).Scan(&records, &pages)
	if err != nil {
		t.Fatal(err)
	}
	return records, pages
}

func rotations(pages []archive.Page) []int {
	var r []int
	for _, p := range pages {
		r = append(r, p.Rotation)
	}
	return r
}

func TestIngestGenerated(t *testing.T) {
	page := textPage(t, pageLines)
	tests := []struct {
		name      string
		data      []byte
		media     string
		rotations []int
	}{
		{"page.png", encodePNG(t, page), archive.MediaPNG, []int{0}},
		{"page.jpg", encodeJPEG(t, page), archive.MediaJPEG, []int{0}},
		{"sideways.png", encodePNG(t, quarterTurn(page)), archive.MediaPNG, []int{270}},
		{"two-frames.tif", multiTIFF(page, upsideDown(page)), archive.MediaTIFF, []int{0, 180}},
		{"page.pdf", textPDF(pageLines), archive.MediaPDF, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "eng")

			got := f.mustIngest(t, tt.data, tt.name)

			if got.rec.MediaType != tt.media {
				t.Errorf("media type %q, want %q", got.rec.MediaType, tt.media)
			}
			if r := rotations(got.pages); !slices.Equal(r, tt.rotations) {
				t.Errorf("rotations %v, want %v", r, tt.rotations)
			}
			for _, p := range got.pages {
				for _, word := range []string{"ARCHIVE", "bakery", "parcel"} {
					if !strings.Contains(p.Text, word) {
						t.Errorf("page %d text lacks %q:\n%s", p.Number, word, p.Text)
					}
				}
			}
		})
	}
}

// blob reads a whole stored object.
func (f *fixture) blob(t *testing.T, key string) []byte {
	t.Helper()
	rc, err := f.in.Blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("blob %s: %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("blob %s: %v", key, err)
	}
	return data
}

// TestIngestIndexesARecordInOneBatch: a record's pages reach the index in
// one batch, as each batch is a segment to write and merge; and when the
// batch fails, every page is still tried on its own, so that one bad page
// does not hide the others from search.
func TestIngestIndexesARecordInOneBatch(t *testing.T) {
	page := textPage(t, pageLines)
	for _, refuse := range []bool{false, true} {
		f := newFixture(t, "eng")
		f.index.refuseBatches = refuse

		rec, _, err := f.in.Ingest(context.Background(), bytes.NewReader(multiTIFF(page, page)),
			archive.Metadata{Filename: "register.tif"})
		if err != nil {
			t.Fatalf("refusing batches %v: %v", refuse, err)
		}

		wantBatches := map[bool]int{false: 1, true: 3}[refuse] // the batch, then each page
		if f.index.batches != wantBatches || len(f.index.pages) != 2 {
			t.Errorf("refusing batches %v: %d pages indexed in %d calls, want 2 in %d",
				refuse, len(f.index.pages), f.index.batches, wantBatches)
		}
		for i, p := range f.index.pages {
			if p.RecordID != rec.ID || p.Number != i+1 {
				t.Errorf("indexed page %d is %s/%d", i+1, p.RecordID, p.Number)
			}
		}
	}
}
