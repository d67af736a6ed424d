package archive

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/sijil-municipality/sijil"
)

// Indexer receives the text of ingested pages with their record's
// metadata, a record's pages in one call. The index package is adapted to
// it in cmd. IndexPages may be given a page already indexed and must
// replace it, and indexes all the pages it is given or none.
type Indexer interface {
	IndexPages(ctx context.Context, pages []PageText) error
}

// PageText is one page as the index sees it, with its record's fields.
// It never carries national IDs: they are not searchable.
type PageText struct {
	RecordID   string
	Number     int
	Text       string // as corrected by the archivist, else as Tesseract read it
	Filename   string
	RecordType string
	Reference  string
	Title      string

	Names         []string
	Parcel        string
	Plot          string
	Neighbourhood string
	Street        string
	Year          int // 0 when unknown
}

// pageText is page number of rec as the index sees it.
func pageText(rec Record, number int, text string) PageText {
	return PageText{
		RecordID: rec.ID, Number: number, Text: text, Filename: rec.Filename,
		RecordType: rec.RecordType, Reference: rec.Reference, Title: rec.Title,
		Names: rec.Names, Parcel: rec.Parcel, Plot: rec.Plot,
		Neighbourhood: rec.Neighbourhood, Street: rec.Street, Year: rec.Year,
	}
}

// Metadata is what the archivist or a manifest says about a file; the rest
// is read from its bytes. Ingest checks it (see Record for each field's
// form) and refuses bad values as Invalid before reading the file.
type Metadata struct {
	Filename   string
	RecordType string // one of RecordTypes, or ""
	Reference  string
	Title      string

	Date          string // YYYY, YYYY-MM or YYYY-MM-DD in any digit set, or ""
	Names         []string
	NationalIDs   []string
	Parcel        string
	Plot          string
	Neighbourhood string
	Street        string
	Source        string
	Restricted    bool

	// Origin says where the bytes come from, for telling a resumed import
	// from a second copy: the file's absolute path for the command line and
	// bulk imports. "" (unknown) is never the same origin as another.
	Origin string

	// Actor is the staff member ingesting, recorded in the ingest event;
	// "" for a script.
	Actor string

	// Audit writes the admins' trail entry of a new record with its rows.
	// A file already archived changes nothing and does not call it.
	Audit Audit
}

// DefaultLanguages are the Tesseract languages pages are read in. Arabic
// alone: adding eng was measured to put Latin garbage into Arabic pages.
var DefaultLanguages = []string{"ara"}

// Ingester turns uploaded scans into records. Blobs, DB and Index are
// required; a zero value elsewhere takes its default. An Ingester is safe
// for concurrent use once set up.
type Ingester struct {
	Blobs     Blobs
	DB        *sql.DB
	Index     Indexer
	OCR       OCR          // nil means Tesseract{}
	Workers   int          // pages processed at once; 0 means runtime.NumCPU()
	Languages []string     // Tesseract languages; nil means DefaultLanguages
	Limits    Limits       // zero fields take the defaults
	Log       *slog.Logger // nil means slog.Default()
	TempDir   string       // for the spooled upload; "" means os.TempDir()
	Now       func() time.Time
}

// Ingest stores the scan read from r with its metadata and returns its
// record. A file whose SHA-256 is already recorded is not read again: its
// record comes back with existed set. Refusals a clerk can act on are
// *sijil.Error of kind Invalid (unsupported or damaged file) or TooLarge
// (a limit); a missing OCR tool is Unavailable. Nothing is written to the
// database unless every page was read; blobs left by a failure are
// harmless, being keyed by content. If indexing fails after the rows are
// committed, the record is returned together with the error.
func (in *Ingester) Ingest(ctx context.Context, r io.Reader, meta Metadata) (
	rec Record, existed bool, err error) {
	if in.Blobs == nil || in.DB == nil || in.Index == nil {
		return Record{}, false, errors.New("archive: an Ingester needs Blobs, DB and Index")
	}
	meta, err = meta.clean()
	if err != nil {
		return Record{}, false, err
	}

	start := time.Now()
	tmp, err := os.MkdirTemp(in.TempDir, "sijil-ingest-*")
	if err != nil {
		return Record{}, false, fmt.Errorf("archive: temp folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	up, err := spool(ctx, r, tmp, in.Limits.withDefaults().MaxBytes)
	if err != nil {
		return Record{}, false, err
	}
	defer up.file.Close()

	store := NewStore(in.DB)
	rec, err = store.RecordBySHA256(ctx, up.sha)
	if err == nil {
		if err := store.seenAgain(ctx, rec, meta, in.now()); err != nil {
			return Record{}, false, err
		}
		in.logIngested(ctx, rec, true, start)
		return rec, true, in.indexAgain(ctx, store, rec)
	}
	if sijil.KindOf(err) != sijil.NotFound {
		return Record{}, false, err
	}

	rec, existed, err = in.ingestNew(ctx, store, up, meta, tmp)
	if err != nil && rec.ID == "" {
		return Record{}, false, err
	}
	in.logIngested(ctx, rec, existed, start)
	return rec, existed, err
}

// ingestNew reads the pages of a file not yet recorded, stores them, and
// writes and indexes its record.
func (in *Ingester) ingestNew(ctx context.Context, store *Store, up *upload, meta Metadata,
	tmp string) (Record, bool, error) {
	if err := in.ocr().Check(ctx, in.languages()); err != nil {
		return Record{}, false, err
	}
	sources, err := splitPages(ctx, up.file, up.size, up.media, in.Limits.withDefaults(), tmp)
	if err != nil {
		return Record{}, false, err
	}

	pages, err := in.readPages(ctx, up.sha, sources, tmp)
	if err != nil {
		return Record{}, false, err
	}
	err = in.Blobs.Put(ctx, OriginalKey(up.sha), io.NewSectionReader(up.file, 0, up.size),
		up.size, up.media)
	if err != nil {
		return Record{}, false, fmt.Errorf("archive: storing original %s: %w", up.sha, err)
	}

	rec := in.newRecord(up, meta, len(pages))
	if err := store.insertRecord(ctx, rec, pages, meta); err != nil {
		// The same file ingested at the same time may have won the race for
		// the UNIQUE sha256: that is a re-import, not a failure.
		if prior, perr := store.RecordBySHA256(ctx, up.sha); perr == nil {
			if err := store.seenAgain(ctx, prior, meta, in.now()); err != nil {
				return Record{}, false, err
			}
			return prior, true, nil
		}
		return Record{}, false, err
	}
	// insertRecord's own check cannot see a record another transaction is
	// committing at the same moment (PostgreSQL reads committed rows only);
	// checking again once committed, of two such records the later sees
	// the earlier. A failure here loses no data, only that race's flag.
	if err := store.recheckDuplicates(ctx, rec, meta.Actor); err != nil {
		in.log().ErrorContext(ctx, "archive: duplicate re-check failed",
			"record_id", rec.ID, "err", err)
	}

	// Once the rows are committed a re-import is a no-op, so an interrupt
	// from here on would leave pages no search can find: finish indexing.
	// A crash here is mended by `sijil reindex`, which rebuilds the index
	// from the rows.
	return rec, false, indexRecord(context.WithoutCancel(ctx), in.Index, rec, pages)
}

// indexAgain indexes the pages of a record already archived once more:
// the import that made it may have been killed after its rows committed
// and before all its pages were indexed, and the file coming in again, as
// a resumed import or a second upload, is what mends that. Adding a page
// replaces its entry, so a whole index is left as it was.
func (in *Ingester) indexAgain(ctx context.Context, store *Store, rec Record) error {
	pages, err := store.Pages(ctx, rec.ID)
	if err == nil {
		err = indexRecord(context.WithoutCancel(ctx), in.Index, rec, pages)
	}
	if err != nil {
		return fmt.Errorf("archive: record %s is archived but not indexed again "+
			"(run sijil reindex): %w", rec.ID, err)
	}
	return nil
}

// newRecord makes the record of an upload from its checked metadata.
func (in *Ingester) newRecord(up *upload, meta Metadata, pages int) Record {
	var id [8]byte
	_, _ = rand.Read(id[:])      // crypto/rand.Read never fails since Go 1.24
	year, _ := yearOf(meta.Date) // clean has checked the date
	return Record{
		ID:            "rec_" + hex.EncodeToString(id[:]),
		SHA256:        up.sha,
		Filename:      meta.Filename,
		MediaType:     up.media,
		SizeBytes:     up.size,
		PageCount:     pages,
		RecordType:    meta.RecordType,
		Reference:     meta.Reference,
		Title:         meta.Title,
		CreatedAt:     in.now(),
		Date:          meta.Date,
		Year:          year,
		Names:         meta.Names,
		NationalIDs:   meta.NationalIDs,
		Parcel:        meta.Parcel,
		Plot:          meta.Plot,
		Neighbourhood: meta.Neighbourhood,
		Street:        meta.Street,
		Source:        meta.Source,
		Origin:        meta.Origin,
		Restricted:    meta.Restricted,
	}
}

func (in *Ingester) now() time.Time {
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	return now().UTC().Truncate(time.Microsecond)
}

// indexRecord hands the record's pages to ix in one batch: each batch is
// a segment of the index to write, sync and later merge, which page by
// page cost a register of 30 pages 30 of them. When a batch of several
// fails, its pages are tried one by one, so that one bad page does not
// hide the rest from search.
func indexRecord(ctx context.Context, ix Indexer, rec Record, pages []Page) error {
	if len(pages) == 0 {
		return nil
	}
	texts := make([]PageText, len(pages))
	for i, p := range pages {
		texts[i] = pageText(rec, p.Number, p.Text)
	}

	err := ix.IndexPages(ctx, texts)
	if err != nil && len(texts) > 1 {
		var errs []error
		for _, p := range texts {
			if err := ix.IndexPages(ctx, []PageText{p}); err != nil {
				errs = append(errs, fmt.Errorf("page %d: %w", p.Number, err))
			}
		}
		err = errors.Join(errs...)
	}
	if err != nil {
		return fmt.Errorf("archive: record %s is stored but not fully indexed: %w", rec.ID, err)
	}
	return nil
}

func (in *Ingester) logIngested(ctx context.Context, rec Record, existed bool, start time.Time) {
	in.log().InfoContext(ctx, "archive ingested a file",
		"record_id", rec.ID, "sha256", rec.SHA256, "media_type", rec.MediaType,
		"pages", rec.PageCount, "existed", existed,
		"duration_ms", time.Since(start).Milliseconds())
}

func (in *Ingester) log() *slog.Logger {
	if in.Log == nil {
		return slog.Default()
	}
	return in.Log
}

func (in *Ingester) ocr() OCR {
	if in.OCR == nil {
		return Tesseract{}
	}
	return in.OCR
}

func (in *Ingester) languages() []string {
	if len(in.Languages) == 0 {
		return DefaultLanguages
	}
	return in.Languages
}

func (in *Ingester) workers() int {
	if in.Workers <= 0 {
		return runtime.NumCPU()
	}
	return in.Workers
}

// upload is a file spooled to disk, hashed and sniffed.
type upload struct {
	file  *os.File
	size  int64
	sha   string
	media string
}

// spool copies r to a temp file in dir while hashing it, and refuses it as
// soon as it passes max bytes, before the disk fills.
func spool(ctx context.Context, r io.Reader, dir string, max int64) (*upload, error) {
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("archive: spooling upload: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx, r}, max+1))
	if err == nil && n > max {
		err = sijil.Errorf(sijil.TooLarge, "archive.file_too_large",
			"the file is larger than %d MiB, the most Sijil accepts; split it", max>>20)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("archive: reading upload: %w", err)
	}

	head := make([]byte, sniffLen)
	m, _ := f.ReadAt(head, 0) // a short file gives a short head, which Sniff judges
	media, err := Sniff(head[:m])
	if err != nil {
		f.Close()
		return nil, err
	}
	return &upload{file: f, size: n, sha: hex.EncodeToString(h.Sum(nil)), media: media}, nil
}
