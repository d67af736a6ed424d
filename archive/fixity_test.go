package archive_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/archive"
)

// blobFixture is a fixture whose blob folder the test can damage.
type blobFixture struct {
	*fixture
	dir    string
	fixity *archive.Fixity
}

func newBlobFixture(t *testing.T) *blobFixture {
	t.Helper()
	f := newFixture(t, "eng")
	dir := t.TempDir()
	blobs, err := archive.NewFolderBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.in.Blobs = blobs
	fx := &archive.Fixity{Blobs: blobs, DB: f.db, Log: f.in.Log}
	return &blobFixture{fixture: f, dir: dir, fixity: fx}
}

// path is the file that holds a blob key in the fixture's folder.
func (f *blobFixture) path(key string) string {
	return filepath.Join(f.dir, filepath.FromSlash(key))
}

// overwrite puts data in place of a stored object, as a careless hand
// or a bad restore would.
func (f *blobFixture) overwrite(t *testing.T, key string, data []byte) {
	t.Helper()
	mustDo(t, os.Chmod(f.path(key), 0o600))
	mustDo(t, os.WriteFile(f.path(key), data, 0o600))
}

// checkAll runs a full check that must not fail as a run.
func (f *blobFixture) checkAll(t *testing.T) archive.FixityReport {
	t.Helper()
	rep, err := f.fixity.CheckAll(context.Background())
	if err != nil {
		t.Fatalf("CheckAll: %v", err)
	}
	return rep
}

func (f *blobFixture) blocked(t *testing.T, id string) bool {
	t.Helper()
	b, err := f.store.OriginalBlocked(context.Background(), id)
	if err != nil {
		t.Fatalf("OriginalBlocked(%s): %v", id, err)
	}
	return b
}

func TestFixityCleanArchivePasses(t *testing.T) {
	t.Parallel()
	f := newBlobFixture(t)
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")

	// The original, and the page's text and word boxes; from the first look
	// on, its image, view and thumbnail too.
	for run, want := range []int{3, 6, 6} { // the third run compares with the baselines
		if run == 1 {
			look(t, f, got, archive.ImageView)
		}
		rep := f.checkAll(t)
		if rep.Records != 1 || rep.Objects != want || len(rep.Problems) != 0 {
			t.Fatalf("run %d: %+v, want 1 record, %d objects, no problems", run+1, rep, want)
		}
	}

	if f.blocked(t, got.rec.ID) {
		t.Error("a clean record is blocked")
	}
	events, err := f.store.Events(context.Background(), got.rec.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	// The first event is the ingest; every check's are after it.
	if len(events) != 16 || events[0].Kind != archive.EventIngested {
		t.Fatalf("%d events, want the ingest and 15 checks (3, 6 and 6 objects)", len(events))
	}
	for _, e := range events[1:] {
		if e.Kind != archive.EventFixityOK {
			t.Errorf("event %+v, want %s", e, archive.EventFixityOK)
		}
	}
}

func TestFixityFindsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, f *blobFixture, got ingested) string // returns the key
		kind   string
	}{
		{"deleted original", func(t *testing.T, f *blobFixture, got ingested) string {
			key := archive.OriginalKey(got.rec.SHA256)
			mustDo(t, os.Remove(f.path(key)))
			return key
		}, archive.EventFixityMissing},
		{"truncated page image", func(t *testing.T, f *blobFixture, got ingested) string {
			look(t, f, got, archive.ImagePage)
			key := got.pages[0].ImageKey
			info, err := os.Stat(f.path(key))
			mustDo(t, err)
			mustDo(t, os.Truncate(f.path(key), info.Size()/2))
			return key
		}, archive.EventFixityTruncated},
		{"one byte flipped in the original", func(t *testing.T, f *blobFixture,
			got ingested) string {
			key := archive.OriginalKey(got.rec.SHA256)
			b, err := os.ReadFile(f.path(key))
			mustDo(t, err)
			b[len(b)/2] ^= 0x01
			mustDo(t, os.WriteFile(f.path(key), b, 0o600))
			return key
		}, archive.EventFixityAltered},
		// Ingest records the hash of every page object it stores, and the
		// making of a page image its hash; the first check compares a
		// scaled copy made at the first look with one made again from the
		// page image, so that damage done before the first check is found
		// by it, in the files the viewer shows as in the one certified
		// copies are made from.
		{"a byte appended to the page image", func(t *testing.T, f *blobFixture,
			got ingested) string {
			look(t, f, got, archive.ImageView)
			return appendByte(t, f, got.pages[0].ImageKey)
		}, archive.EventFixityAltered},
		{"a byte appended to the viewer's copy", func(t *testing.T, f *blobFixture,
			got ingested) string {
			look(t, f, got, archive.ImageView)
			return appendByte(t, f, archive.PageViewKey(got.rec.SHA256, 1))
		}, archive.EventFixityAltered},
		{"another page in place of the thumbnail", func(t *testing.T,
			f *blobFixture, got ingested) string {
			look(t, f, got, archive.ImageThumb)
			key := archive.PageThumbKey(got.rec.SHA256, 1)
			other := encodeJPEG(t, textPage(t, pageLines[:2]))
			f.overwrite(t, key, other)
			return key
		}, archive.EventFixityAltered},
		{"deleted thumbnail, after a check", func(t *testing.T, f *blobFixture,
			got ingested) string {
			look(t, f, got, archive.ImageThumb)
			if rep := f.checkAll(t); len(rep.Problems) != 0 {
				t.Fatalf("the first check found %+v", rep.Problems)
			}
			key := archive.PageThumbKey(got.rec.SHA256, 1)
			mustDo(t, os.Remove(f.path(key)))
			return key
		}, archive.EventFixityMissing},
		{"a byte appended to the word boxes", func(t *testing.T, f *blobFixture,
			got ingested) string {
			return appendByte(t, f, archive.PageWordsKey(got.rec.SHA256, 1))
		}, archive.EventFixityAltered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newBlobFixture(t)
			got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")

			key := tt.damage(t, f, got)
			rep := f.checkAll(t)

			want := []archive.Problem{{RecordID: got.rec.ID, Key: key, Kind: tt.kind}}
			if len(rep.Problems) != 1 || rep.Problems[0].Key != key ||
				rep.Problems[0].Kind != tt.kind || rep.Problems[0].RecordID != got.rec.ID {
				t.Fatalf("problems %+v, want %+v", rep.Problems, want)
			}
			if !f.blocked(t, got.rec.ID) {
				t.Error("the damaged record's original is not blocked")
			}
			f.wantEvent(t, got.rec.ID, key, tt.kind)
		})
	}
}

// look asks for an image of a record's first page, as the viewer does,
// which makes it.
func look(t *testing.T, f *blobFixture, got ingested, kind archive.ImageKind) {
	t.Helper()
	rc, _, err := f.in.PageImage(context.Background(), got.rec.SHA256, 1, kind)
	mustDo(t, err)
	mustDo(t, rc.Close())
}

// TestFixityMakesLostImagesAgain: with Images set, as `sijil fixity` runs
// it, a page image and a viewer's copy lost after their first check (a
// restore from an older backup) are made again from the original, which
// passed its check, and compared with their recorded hashes: the record
// stays open, and its events say what happened.
func TestFixityMakesLostImagesAgain(t *testing.T) {
	f := newBlobFixture(t)
	f.fixity.Images = f.in
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	look(t, f, got, archive.ImageView)
	if rep := f.checkAll(t); len(rep.Problems) != 0 {
		t.Fatalf("the first check found %+v", rep.Problems)
	}
	lost := []string{got.pages[0].ImageKey, archive.PageViewKey(got.rec.SHA256, 1)}
	want := map[string][]byte{}
	for _, key := range lost {
		b, err := os.ReadFile(f.path(key))
		mustDo(t, err)
		want[key] = b
		mustDo(t, os.Remove(f.path(key)))
	}

	if rep := f.checkAll(t); len(rep.Problems) != 0 {
		t.Errorf("problems %+v, want none: the images can be made again", rep.Problems)
	}
	if f.blocked(t, got.rec.ID) {
		t.Error("a record whose lost images were made again is blocked")
	}
	events, err := f.store.Events(context.Background(), got.rec.ID, 100)
	mustDo(t, err)
	for _, key := range lost {
		b, err := os.ReadFile(f.path(key))
		if err != nil || !bytes.Equal(b, want[key]) {
			t.Errorf("%s after the check: %d bytes (%v), want the %d lost", key, len(b), err,
				len(want[key]))
		}
		if !slices.ContainsFunc(events, func(e archive.Event) bool {
			return e.ObjectKey == key && e.Kind == archive.EventFixityOK &&
				strings.Contains(e.Detail, "made again")
		}) {
			t.Errorf("no event says %s was made again: %+v", key, events)
		}
	}

	// A copy is not made again from a page image that failed its check: it
	// would be made from the altered bytes, and stored.
	f.overwrite(t, lost[0], encodePNG(t, textPage(t, []string{"Another page"})))
	mustDo(t, os.Remove(f.path(lost[1])))
	rep := f.checkAll(t)
	kinds := problemKinds(rep)
	if len(rep.Problems) != 2 || kinds[lost[0]] == archive.EventFixityOK ||
		kinds[lost[1]] != archive.EventFixityMissing {
		t.Errorf("problems %+v, want the page image altered and its copy missing",
			rep.Problems)
	}
	if _, err := os.Stat(f.path(lost[1])); !os.IsNotExist(err) {
		t.Errorf("a copy was made from the altered page image (%v)", err)
	}

	// Without Images, as a library caller may run it, the loss is reported.
	f.fixity.Images = nil
	mustDo(t, os.Remove(f.path(lost[0])))
	rep = f.checkAll(t)
	if kinds := problemKinds(rep); kinds[lost[0]] != archive.EventFixityMissing {
		t.Errorf("problems %+v without Images, want the page image missing", rep.Problems)
	}
}

// problemKinds maps the keys of a run's problems to their kinds.
func problemKinds(rep archive.FixityReport) map[string]string {
	kinds := map[string]string{}
	for _, p := range rep.Problems {
		kinds[p.Key] = p.Kind
	}
	return kinds
}

// appendByte damages a stored object as a bad copy or a careless hand
// would, and returns its key.
func appendByte(t *testing.T, f *blobFixture, key string) string {
	t.Helper()
	b, err := os.ReadFile(f.path(key))
	mustDo(t, err)
	mustDo(t, os.WriteFile(f.path(key), append(b, '\n'), 0o600))
	return key
}

// TestFixityAfterTextCorrection: the text blob is Tesseract's reading,
// which a correction of the page's text leaves alone; fixity must not take
// the correction for damage.
func TestFixityAfterTextCorrection(t *testing.T) {
	t.Parallel()
	f := newBlobFixture(t)
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	_, err := f.store.WithIndexer(f.index).EditPageText(context.Background(), got.rec.ID, 1,
		"نص مصحح", archive.Change{By: "huda", Reason: "OCR noise"})
	mustDo(t, err)

	if rep := f.checkAll(t); len(rep.Problems) != 0 || f.blocked(t, got.rec.ID) {
		t.Fatalf("after a text correction: %+v, blocked %v", rep.Problems,
			f.blocked(t, got.rec.ID))
	}
}

// wantEvent fails unless the record's last event on key is of kind.
func (f *blobFixture) wantEvent(t *testing.T, recordID, key, kind string) {
	t.Helper()
	events, err := f.store.Events(context.Background(), recordID, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := ""
	for _, e := range events {
		if e.ObjectKey == key {
			last = e.Kind
		}
	}
	if last != kind {
		t.Errorf("last event on %s is %q, want %q", key, last, kind)
	}
}

func TestFixityRestoredObjectLiftsBlock(t *testing.T) {
	t.Parallel()
	f := newBlobFixture(t)
	data := encodePNG(t, textPage(t, pageLines))
	got := f.mustIngest(t, data, "page.png")
	key := archive.OriginalKey(got.rec.SHA256)

	mustDo(t, os.Remove(f.path(key)))
	if rep := f.checkAll(t); len(rep.Problems) != 1 || !f.blocked(t, got.rec.ID) {
		t.Fatalf("deleted original: %+v, blocked %v", rep, f.blocked(t, got.rec.ID))
	}

	// Restored from a backup, as an operator would.
	err := f.in.Blobs.Put(context.Background(), key, bytes.NewReader(data), -1, "image/png")
	mustDo(t, err)
	if rep := f.checkAll(t); len(rep.Problems) != 0 || f.blocked(t, got.rec.ID) {
		t.Fatalf("restored original: %+v, blocked %v", rep, f.blocked(t, got.rec.ID))
	}
}

func TestFixityRotaPicksLeastRecentlyChecked(t *testing.T) {
	t.Parallel()
	f := newBlobFixture(t)
	first := f.ingestAt(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "PARCEL ONE")
	second := f.ingestAt(t, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "PARCEL TWO")

	var order []string
	for night := 1; night <= 3; night++ {
		f.fixity.Now = func() time.Time { return time.Date(2026, 2, night, 3, 0, 0, 0, time.UTC) }
		rep, err := f.fixity.CheckRota(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, rep.Checked...)
	}

	// Never-checked records come first, oldest ingest first; then the one
	// checked longest ago.
	want := []string{first, second, first}
	if !slices.Equal(order, want) {
		t.Errorf("rota checked %v, want %v", order, want)
	}
}

// ingestAt ingests a page with its own text, recorded as made at 'at'.
func (f *blobFixture) ingestAt(t *testing.T, at time.Time, line string) string {
	t.Helper()
	f.in.Now = func() time.Time { return at }
	f.index.pages = nil // mustIngest counts the pages indexed by this ingest
	lines := append([]string{line}, pageLines...)
	return f.mustIngest(t, encodePNG(t, textPage(t, lines)), line+".png").rec.ID
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestEventsAreTheLatest: a record checked every night gathers an event
// per object each time; its page lists the latest events, so what
// happened last (a correction, a failed check) is never pushed off it.
func TestEventsAreTheLatest(t *testing.T) {
	t.Parallel()
	f := newBlobFixture(t)
	got := f.mustIngest(t, encodePNG(t, textPage(t, pageLines)), "page.png")
	for range 4 {
		f.checkAll(t) // 6 events each
	}
	_, err := f.store.WithIndexer(f.index).EditPageText(context.Background(), got.rec.ID, 1,
		"نص مصحح", archive.Change{By: "huda", Reason: "OCR noise"})
	mustDo(t, err)

	events, err := f.store.Events(context.Background(), got.rec.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 10 || events[9].Kind != archive.EventPageTextEdited ||
		events[0].Kind == archive.EventIngested {
		t.Fatalf("the 10 latest events: %+v", events)
	}
	for i := 1; i < len(events); i++ {
		if events[i].At.Before(events[i-1].At) {
			t.Errorf("events not oldest first: %v before %v", events[i-1].At, events[i].At)
		}
	}
}
