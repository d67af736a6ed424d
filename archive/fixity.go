package archive

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// The kinds of fixity event, one per object checked.
const (
	EventFixityOK         = "fixity.ok"
	EventFixityMissing    = "fixity.missing"
	EventFixityTruncated  = "fixity.truncated" // shorter than recorded
	EventFixityAltered    = "fixity.altered"   // same size or longer, other bytes
	EventFixityUnreadable = "fixity.unreadable"
)

// Fixity re-hashes stored objects and compares them with the hashes the
// database holds. Blobs and DB are required. It is safe for concurrent
// use, though two runs at once would check the same records twice.
type Fixity struct {
	Blobs Blobs
	DB    *sql.DB
	Log   *slog.Logger // nil means slog.Default()
	Now   func() time.Time

	// Images, when set, makes a missing page image or scaled copy again
	// from an original that passed its check, and the check compares what
	// it made with the recorded hash: the derived images are a cache of
	// the original, whose loss (a restore from an older backup) is
	// repaired rather than blocking the record until someone restores
	// files that can be made again.
	Images *Ingester
}

// Problem is one object that failed its check.
type Problem struct {
	RecordID string
	Key      string
	Kind     string // one of the EventFixity constants other than OK
	Detail   string
}

// FixityReport says what a run checked and what failed.
type FixityReport struct {
	Records  int
	Objects  int
	Checked  []string // ids of the records checked, in order
	Problems []Problem
}

// objectCheck is one object to check: where it is and what it should be.
// An empty wantSHA means no hash is known yet (see expectations).
type objectCheck struct {
	key      string
	wantSHA  string
	wantSize int64

	// For a page image or a scaled copy, made at the first look (see
	// Ingester.PageImage): which image it is, of which page, and the page
	// image a scaled copy is made from.
	kind     ImageKind
	sha      string
	page     int
	scaledOf string
}

// objectResult is the verdict on one object.
type objectResult struct {
	objectCheck
	kind     string
	detail   string
	gotSHA   string
	gotSize  int64
	baseline bool // the hash was recorded now, at first check
}

// CheckAll checks every record, in id order.
func (f *Fixity) CheckAll(ctx context.Context) (FixityReport, error) {
	var rep FixityReport
	after := ""
	for {
		ids, err := f.store().recordIDsAfter(ctx, after, 500)
		if err != nil {
			return rep, err
		}
		if len(ids) == 0 {
			return rep, nil
		}
		if err := f.checkRecords(ctx, ids, &rep); err != nil {
			return rep, err
		}
		after = ids[len(ids)-1]
	}
}

// CheckRota checks the n records checked longest ago, never-checked ones
// first: run nightly, it walks the whole archive in turn.
func (f *Fixity) CheckRota(ctx context.Context, n int) (FixityReport, error) {
	var rep FixityReport
	ids, err := f.store().recordIDsForRota(ctx, n)
	if err != nil {
		return rep, err
	}
	return rep, f.checkRecords(ctx, ids, &rep)
}

func (f *Fixity) checkRecords(ctx context.Context, ids []string, rep *FixityReport) error {
	for _, id := range ids {
		results, err := f.checkRecord(ctx, id)
		if err != nil {
			return err
		}

		rep.Records++
		rep.Checked = append(rep.Checked, id)
		rep.Objects += len(results)
		for _, r := range results {
			if r.kind != EventFixityOK {
				rep.Problems = append(rep.Problems,
					Problem{RecordID: id, Key: r.key, Kind: r.kind, Detail: r.detail})
			}
		}
	}
	return nil
}

// checkRecord checks every object of one record and saves the
// verdicts: an event per object, the record's check time and whether its
// original is blocked.
func (f *Fixity) checkRecord(ctx context.Context, id string) ([]objectResult, error) {
	if f.Blobs == nil || f.DB == nil {
		return nil, errors.New("archive: Fixity needs Blobs and DB")
	}
	checks, err := f.expectations(ctx, id)
	if err != nil {
		return nil, err
	}

	// Images made again during the run are its own verdicts: checkDamaged
	// must not start a second run inside this one.
	ctx = context.WithValue(ctx, inFixity{}, true)
	results := make([]objectResult, 0, len(checks))
	passed := map[string]bool{}
	for _, c := range checks {
		made := true
		switch {
		case c.wantSHA != "":
		case c.scaledOf != "":
			// Expected bytes made from a page image that failed would be
			// recorded as the copy's baseline: its check waits for the
			// page image's repair.
			made = passed[c.scaledOf]
			if made {
				c, made = f.expectScaled(ctx, c)
			}
		case c.kind == ImagePage:
			made = f.made(ctx, c.key)
		}
		if !made {
			continue
		}
		r, err := f.checkObject(ctx, c)
		if err != nil {
			return nil, err
		}
		// An image is made again only from what passed in this run: a page
		// image from the original (the first object checked), a scaled copy
		// from its page image, so that nothing is made from altered bytes.
		source := checks[0].key
		if c.scaledOf != "" {
			source = c.scaledOf
		}
		if r.kind == EventFixityMissing && c.kind != "" && passed[source] {
			if r, err = f.remake(ctx, c, r); err != nil {
				return nil, err
			}
		}
		if c.scaledOf != "" && r.kind == EventFixityOK {
			r.baseline = true
		}
		passed[c.key] = r.kind == EventFixityOK
		results = append(results, r)
	}

	if err := f.store().saveFixity(ctx, id, f.now(), results); err != nil {
		return nil, err
	}
	f.logRecord(ctx, id, results)
	return results, nil
}

// expectations lists a record's objects with what each should hold. The
// original's hash and size are the record's own. Every object ingest
// stores for a page (Tesseract's text, the word boxes) has the hash ingest
// recorded, and the page image the hash recorded when it was made, at its
// first look; for a record archived before these were recorded, the first
// check records one as the baseline, which later checks compare with. The
// text blob is Tesseract's, so a correction of the page's text changes
// nothing there. The viewer's copy and the thumbnail, made at the first
// look too, are checked at their first check against copies made again
// from the page image (see expectScaled).
func (f *Fixity) expectations(ctx context.Context, id string) ([]objectCheck, error) {
	st := f.store()
	rec, err := st.RecordByID(ctx, id)
	if err != nil {
		return nil, err
	}
	pages, err := st.Pages(ctx, id)
	if err != nil {
		return nil, err
	}
	baselines, err := st.baselines(ctx, id)
	if err != nil {
		return nil, err
	}

	checks := []objectCheck{{key: OriginalKey(rec.SHA256), wantSHA: rec.SHA256,
		wantSize: rec.SizeBytes}}
	for _, p := range pages {
		page := baselines[p.ImageKey]
		page.key, page.kind, page.sha, page.page = p.ImageKey, ImagePage, rec.SHA256, p.Number
		checks = append(checks, page)
		for _, key := range []string{p.TextKey, PageWordsKey(rec.SHA256, p.Number)} {
			c := baselines[key]
			c.key = key
			checks = append(checks, c)
		}
		for _, kind := range []ImageKind{ImageView, ImageThumb} {
			key := PageViewKey(rec.SHA256, p.Number)
			if kind == ImageThumb {
				key = PageThumbKey(rec.SHA256, p.Number)
			}
			c := baselines[key]
			c.key, c.scaledOf, c.kind, c.sha, c.page = key, p.ImageKey, kind, rec.SHA256,
				p.Number
			checks = append(checks, c)
		}
	}
	return checks, nil
}

// remake makes a missing image again (see Fixity.Images) and checks it,
// returning the verdict on what was made, or missing when it cannot be.
func (f *Fixity) remake(ctx context.Context, c objectCheck, missing objectResult) (
	objectResult, error) {
	if f.Images == nil {
		return missing, nil
	}
	rc, _, err := f.Images.PageImage(ctx, c.sha, c.page, c.kind)
	if err != nil {
		f.log().WarnContext(ctx, "fixity could not make a missing image again",
			"key", c.key, "err", err)
		return missing, nil
	}
	rc.Close()
	r, err := f.checkObject(ctx, c)
	switch {
	case err != nil:
	case r.kind == EventFixityOK:
		r.detail = detailRemade
	default:
		// Made again, it is not what was made before: the code that makes
		// it changed, not the file, and a person has to decide.
		r.detail = detailRemadeDiffers
	}
	return r, err
}

// made reports whether the image at key, which has no baseline, has been
// made: one not made yet has nothing to check. A failure to tell counts as
// made, so that the check itself reports it.
func (f *Fixity) made(ctx context.Context, key string) bool {
	_, err := f.Blobs.Stat(ctx, key)
	return !errors.Is(err, ErrBlobNotFound)
}

// expectScaled sets what a scaled copy without a baseline should hold: the
// copy made again from its page image, so that even a copy altered before
// its first check is caught. It reports false when there is nothing to
// check: the copy is not made yet, or its page image cannot be read, which
// that image's own check reports.
func (f *Fixity) expectScaled(ctx context.Context, c objectCheck) (objectCheck, bool) {
	if !f.made(ctx, c.key) {
		return c, false
	}
	data, err := readBlob(ctx, f.Blobs, c.scaledOf)
	if err != nil {
		return c, false
	}
	files, err := scaledFromPNG(data)
	if err != nil {
		return c, false
	}
	want := files.of(c.kind)
	sum := sha256.Sum256(want)
	c.wantSHA, c.wantSize = hex.EncodeToString(sum[:]), int64(len(want))
	return c, true
}

// checkObject hashes one object as a stream, so that a large plan scan
// costs no more memory than a small one. A read failure other than a
// missing object is a verdict too: one bad disk sector must not stop the
// run.
func (f *Fixity) checkObject(ctx context.Context, c objectCheck) (objectResult, error) {
	r := objectResult{objectCheck: c}
	rc, err := f.Blobs.Get(ctx, c.key)
	if errors.Is(err, ErrBlobNotFound) {
		r.kind, r.detail = EventFixityMissing, detailNotInStore
		return r, nil
	}
	if err == nil {
		h := sha256.New()
		r.gotSize, err = io.Copy(h, ctxReader{ctx: ctx, r: rc})
		rc.Close()
		r.gotSHA = hex.EncodeToString(h.Sum(nil))
	}
	if ctx.Err() != nil {
		return r, fmt.Errorf("archive: fixity of %s: %w", c.key, ctx.Err())
	}
	if err != nil {
		r.kind, r.detail = EventFixityUnreadable, "reading failed: "+err.Error()
		return r, nil
	}

	r.kind, r.detail = verdict(c, r.gotSHA, r.gotSize)
	if c.wantSHA == "" {
		r.baseline = true
	}
	return r, nil
}

// verdict compares what was read with what was expected.
func verdict(c objectCheck, gotSHA string, gotSize int64) (kind, detail string) {
	switch {
	case c.wantSHA == "":
		return EventFixityOK, detailBaseline
	case gotSize < c.wantSize:
		return EventFixityTruncated,
			fmt.Sprintf("%d bytes stored, %d expected", gotSize, c.wantSize)
	case gotSize != c.wantSize:
		return EventFixityAltered,
			fmt.Sprintf("%d bytes stored, %d expected", gotSize, c.wantSize)
	case gotSHA != c.wantSHA:
		return EventFixityAltered, "SHA-256 " + gotSHA + ", expected " + c.wantSHA
	}
	return EventFixityOK, detailHashMatches
}

// Fixed details of fixity events, which DetailPhrases reads back.
const (
	detailBaseline      = "first check: hash recorded as the baseline"
	detailHashMatches   = "SHA-256 matches"
	detailNotInStore    = "the object is not in the store"
	detailRemade        = "missing; made again from the original, as recorded"
	detailRemadeDiffers = "missing; made again from the original, but not as recorded"
)

func (f *Fixity) logRecord(ctx context.Context, id string, results []objectResult) {
	failed := 0
	for _, r := range results {
		if r.kind != EventFixityOK {
			failed++
			f.log().WarnContext(ctx, "fixity check failed", "record_id", id,
				"key", r.key, "kind", r.kind, "detail", r.detail)
		}
	}
	f.log().InfoContext(ctx, "fixity checked a record", "record_id", id,
		"objects", len(results), "failed", failed)
}

func (f *Fixity) store() *Store { return NewStore(f.DB) }

func (f *Fixity) now() time.Time {
	if f.Now == nil {
		return time.Now().UTC()
	}
	return f.Now().UTC()
}

func (f *Fixity) log() *slog.Logger {
	if f.Log == nil {
		return slog.Default()
	}
	return f.Log
}
