package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	_ "modernc.org/sqlite" // the embedded default database, pure Go

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/issuancelog"
	"github.com/sijil-municipality/sijil/certs/pdfsign"
	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/verify"
)

// office is the issuing office as printed and signed on certificates.
const office = "بلدية المدينة — City Municipality"

// maxDBConns bounds the SQLite connection pool.
const maxDBConns = 8

// logOrigin names the public issuance log in its signed checkpoints.
const logOrigin = "city-municipality.sijil/issuance-log"

// app is the wiring of one data folder: a SQLite file (or PostgreSQL), a
// blob folder with the S3 key layout (or an S3 bucket), a bleve index and
// the key files.
// Parts are opened on first use, so a command opens only what it needs.
type app struct {
	dir string
	log *slog.Logger

	db             *sql.DB
	blobs          archive.Blobs
	idx            *index.Index
	ingest         *archive.Ingester
	keyring        *certs.Keyring
	ilog           *issuancelog.Log
	logVerifierKey string
	pdfSign        pdfsign.Signer
}

// openApp opens the data folder, and the PostgreSQL database in place of
// its SQLite file when the place names one. Only commands that fill an
// archive (serve, ingest) may create a folder: anything else on a mistyped
// folder would make a new database and, worse, a new signing key.
func openApp(ctx context.Context, where dataPlace, log *slog.Logger, create bool) (*app, error) {
	dir := where.dir
	dbPath := filepath.Join(dir, "sijil.db")
	mark := dbPath
	if where.databaseURL != "" {
		mark = dir
	}
	if _, err := os.Stat(mark); err != nil && !create {
		return nil, sijil.Errorf(sijil.NotFound, "data.missing",
			"there is no Sijil data folder at %s: give --data or set $SIJIL_DATA "+
				"('sijil serve' and 'sijil ingest' make one)", dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	a := &app{dir: dir, log: log}

	db, err := openDatabase(ctx, where, dbPath, log)
	if err != nil {
		return nil, err
	}
	a.db = db
	if a.blobs, err = openBlobs(ctx, where); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// openSQLite opens the database and runs every domain's migrations: the
// one place where the schema is brought up to date.
func openSQLite(ctx context.Context, path string) (*sql.DB, error) {
	// WAL lets the verify page read while an ingest writes; busy_timeout
	// makes concurrent writers wait instead of failing.
	// _txlock=immediate takes the write lock when a transaction begins, so
	// one that reads before it writes waits its turn instead of failing.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// A few connections serve every reader at once under WAL; more only
	// queue on SQLite's locks while each holds its own page cache, which
	// under a burst of verify requests grew the server to gigabytes.
	db.SetMaxOpenConns(maxDBConns)
	db.SetMaxIdleConns(maxDBConns)
	if err := migrateAll(ctx, db, sijil.DialectSQLite); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// index opens the search index on first use. Only one process may hold it:
// a second gets a clear error instead of waiting.
func (a *app) index() (*index.Index, error) {
	if a.idx != nil {
		return a.idx, nil
	}
	idx, err := index.Open(filepath.Join(a.dir, "index"))
	if err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	if built, old := idx.Outdated(); old {
		a.log.Warn("the search index was built by an older analysis and misses some "+
			"spellings until rebuilt: stop the server and run sijil reindex",
			"index_analysis", built)
	}
	a.idx = idx
	return idx, nil
}

// keys opens the keyring, making the first key on first use with a loud
// warning: a key made by accident on the wrong machine splits the key set.
func (a *app) keys() (*certs.Keyring, error) {
	if a.keyring != nil {
		return a.keyring, nil
	}
	dir := filepath.Join(a.dir, "keys")
	kr, created, err := certs.OpenKeyring(dir, time.Now())
	if err != nil {
		return nil, err
	}
	if created {
		s, _ := kr.Current()
		a.log.Warn("NO SIGNING KEY WAS FOUND: A NEW ONE WAS MADE. Certificates it signs "+
			"verify only with its key set; publish it (sijil keys export).",
			"key_id", s.KeyID(), "dir", dir)
	}
	a.keyring = kr
	return kr, nil
}

// keySet returns the public key set, with the PDF signing certificate.
func (a *app) keySet() (*verify.KeySet, error) {
	kr, err := a.keys()
	if err != nil {
		return nil, err
	}
	ps, err := a.pdfSigner()
	if err != nil {
		return nil, err
	}
	if _, err := a.issuanceLog(); err != nil {
		return nil, err
	}
	ks := kr.KeySet(office, ps.Cert)
	ks.LogKey = a.logVerifierKey
	return ks, nil
}

// signedKeySet returns the key set as published, signed by the keyring.
func (a *app) signedKeySet() ([]byte, error) {
	ks, err := a.keySet()
	if err != nil {
		return nil, err
	}
	return a.keyring.SignKeySet(ks)
}

// pdfSigner loads the document-signing key, making a self-signed one on
// first use with a loud warning.
func (a *app) pdfSigner() (pdfsign.Signer, error) {
	if a.pdfSign.Key != nil {
		return a.pdfSign, nil
	}
	dir := filepath.Join(a.dir, "keys")
	ps, created, err := certs.LoadOrCreatePDFSigner(dir, office, time.Now())
	if err != nil {
		return pdfsign.Signer{}, err
	}
	if created {
		a.log.Warn("NO PDF SIGNING CERTIFICATE WAS FOUND: A SELF-SIGNED ONE WAS MADE. PDF "+
			"tools will call its issuer unknown; place a CA-issued certificate in "+
			"keys/pdf-signing.crt for production.", "dir", dir)
	}
	a.pdfSign = ps
	return ps, nil
}

func (a *app) ingester() (*archive.Ingester, error) {
	if a.ingest != nil {
		return a.ingest, nil
	}
	idx, err := a.index()
	if err != nil {
		return nil, err
	}

	// Scans are spooled inside the data folder rather than the machine's
	// shared temp, for they may be restricted records, and what a killed
	// run left there is removed now (see clearTemp).
	tmp, err := a.tempDir(true)
	if err != nil {
		return nil, err
	}
	a.ingest = &archive.Ingester{
		Blobs:   a.blobs,
		DB:      a.db,
		Index:   index.Archive{Index: idx},
		Log:     a.log,
		TempDir: tmp,
	}
	return a.ingest, nil
}

// tempDir makes the data folder's tmp, where scans are spooled and
// originals copied to make page images from, and removes what stopped runs
// left there. An ingest's files are removed when ingesting, since only
// the process holding the index ingests; copies of originals only when an
// hour old, since another process (`sijil issue` beside the server) may be
// making a page image from one.
func (a *app) tempDir(ingesting bool) (string, error) {
	tmp := filepath.Join(a.dir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		name := e.Name()
		stale := strings.HasPrefix(name, "sijil-ingest-") && ingesting
		if strings.HasPrefix(name, "sijil-original-") {
			info, err := e.Info()
			stale = err == nil && time.Since(info.ModTime()) > time.Hour
		}
		if !stale {
			continue
		}
		if err := os.RemoveAll(filepath.Join(tmp, name)); err != nil {
			return "", fmt.Errorf("clearing %s of a stopped run's files: %w", tmp, err)
		}
	}
	return tmp, nil
}

func (a *app) issuer(publicURL string) (*certs.Issuer, error) {
	kr, err := a.keys()
	if err != nil {
		return nil, err
	}
	signer, err := kr.Current()
	if err != nil {
		return nil, err
	}
	regular, bold, err := render.FindFonts()
	if err != nil {
		return nil, err
	}
	r, err := render.New(regular, bold)
	if err != nil {
		return nil, err
	}
	a.log.Info("certificate fonts", "regular", regular, "bold", bold)
	issuanceLog, err := a.issuanceLog()
	if err != nil {
		return nil, err
	}
	ps, err := a.pdfSigner()
	if err != nil {
		return nil, err
	}
	// A certified copy may be the first look at a page, whose image is then
	// made from the original. Issuing opens no index, so that `sijil issue`
	// runs beside the server.
	tmp, err := a.tempDir(false)
	if err != nil {
		return nil, err
	}
	images := &archive.Ingester{Blobs: a.blobs, DB: a.db, Log: a.log, TempDir: tmp}
	return &certs.Issuer{
		Signer:    signer,
		PDFSigner: ps,
		Log:       issuanceLog,
		Renderer:  r,
		Blobs:     a.blobs,
		Store:     &certs.Store{DB: a.db},
		Records:   recordRefs{archive.NewStore(a.db)},
		Pages:     copyPages{archive.NewStore(a.db), images},
		PublicURL: publicURL,
		Office:    office,
		Logger:    a.log,
	}, nil
}

// issuanceLog opens the public issuance log with its checkpoint key,
// making the key on first use.
func (a *app) issuanceLog() (*issuancelog.Log, error) {
	if a.ilog != nil {
		return a.ilog, nil
	}
	signer, verifierKey, created, err := issuancelog.LoadOrCreateKey(
		filepath.Join(a.dir, "keys"), logOrigin)
	if err != nil {
		return nil, err
	}
	if created {
		a.log.Warn("NO LOG KEY WAS FOUND: A NEW ONE WAS MADE for the issuance log's checkpoints",
			"verifier_key", verifierKey)
	}
	a.ilog, a.logVerifierKey = issuancelog.New(a.db, signer, logOrigin), verifierKey
	return a.ilog, nil
}

func (a *app) Close() error {
	// Copies of originals that page images were made from leave with the
	// command, not an hour later.
	archive.DropOriginals()
	var errs []error
	if a.idx != nil {
		errs = append(errs, a.idx.Close())
	}
	if a.db != nil {
		errs = append(errs, a.db.Close())
	}
	return errors.Join(errs...)
}

// recordRefs lets certs cite archive records by id and content hash.
type recordRefs struct{ store *archive.Store }

func (r recordRefs) RecordRef(ctx context.Context, id string) (verify.RecordRef, error) {
	rec, err := r.store.RecordByID(ctx, id)
	if err != nil {
		return verify.RecordRef{}, err
	}
	return verify.RecordRef{ID: rec.ID, SHA256: rec.SHA256}, nil
}

// copyPages lets certs read an archived record and its upright page images
// for a certified copy.
type copyPages struct {
	store  *archive.Store
	images *archive.Ingester
}

func (c copyPages) RecordForCopy(ctx context.Context, id string) (certs.CopySource, error) {
	rec, err := c.store.RecordByID(ctx, id)
	if err != nil {
		return certs.CopySource{}, err
	}
	// A record whose files failed their last fixity check must not be
	// certified as a true copy until they are restored.
	blocked, err := c.store.OriginalBlocked(ctx, id)
	if err != nil {
		return certs.CopySource{}, err
	}
	if blocked {
		return certs.CopySource{}, sijil.Errorf(sijil.Conflict, "archive.blocked",
			"record %s failed its last fixity check; it cannot be certified until its "+
				"files are restored and 'sijil fixity' passes", id)
	}
	pages, err := c.store.Pages(ctx, id)
	if err != nil {
		return certs.CopySource{}, err
	}
	src := certs.CopySource{ID: rec.ID, SHA256: rec.SHA256, Filename: rec.Filename,
		Reference: rec.Reference, RecordType: rec.RecordType, ArchivedAt: rec.CreatedAt}
	// A page not looked at yet is made now, on every CPU: a first copy of
	// a 30-page register took 5.8 s one page after another, 3.0 on two.
	// The first failure (a damaged original) stops the pages not begun.
	src.Pages = make([][]byte, len(pages))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	for i, p := range pages {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			img, err := c.readPage(gctx, rec.SHA256, p.Number)
			if err != nil {
				return fmt.Errorf("page %d of %s: %w", p.Number, id, err)
			}
			src.Pages[i] = img
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return certs.CopySource{}, err
	}
	return src, nil
}

func (c copyPages) readPage(ctx context.Context, sha string, n int) ([]byte, error) {
	return c.images.CertifiablePage(ctx, sha, n)
}
