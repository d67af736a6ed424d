// Package certstest builds a real certificate office for tests: a SQLite
// database (PostgreSQL under pgtest.Rerun) with every migration, a blob
// folder, a keyring, the issuance log and the Amiri renderer, all in a
// test's temporary folder.
package certstest

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the embedded default database

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/issuancelog"
	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/verify"
)

// Origin names the test office's issuance log.
const Origin = "test.sijil/issuance-log"

// Office is a certificate office in a temporary folder.
type Office struct {
	Issuer  *certs.Issuer
	Keyring *certs.Keyring
	Log     *issuancelog.Log
	LogKey  string // the log's note verifier key
	DB      *sql.DB
	Blobs   *archive.FolderBlobs // certificates, and the archive's originals and pages
}

// Records is an archive as certs sees it: record ids and their hashes.
type Records map[string]string

// RecordRef implements certs.Records.
func (r Records) RecordRef(_ context.Context, id string) (verify.RecordRef, error) {
	sha, ok := r[id]
	if !ok {
		return verify.RecordRef{}, sijil.Errorf(sijil.NotFound, "archive.not_found",
			"no record %s", id)
	}
	return verify.RecordRef{ID: id, SHA256: sha}, nil
}

// New makes an office whose clock reads now and whose archive holds the
// records given.
func New(tb testing.TB, now time.Time, records Records) *Office {
	tb.Helper()
	dir := tb.TempDir()
	db, dialect := openDB(tb, dir)
	for _, migrate := range []func(context.Context, *sql.DB, string) error{
		archive.Migrate, certs.Migrate, issuancelog.Migrate,
	} {
		must(tb, migrate(context.Background(), db, dialect))
	}

	blobs, err := archive.NewFolderBlobs(filepath.Join(dir, "blobs"))
	must(tb, err)
	kr, _, err := certs.OpenKeyring(filepath.Join(dir, "keys"), now.Add(-time.Hour))
	must(tb, err)
	signer, err := kr.Current()
	must(tb, err)
	logSigner, logKey, _, err := issuancelog.LoadOrCreateKey(filepath.Join(dir, "keys"), Origin)
	must(tb, err)
	r, err := render.New("", "")
	must(tb, err)
	pdfSigner, _, err := certs.LoadOrCreatePDFSigner(filepath.Join(dir, "keys"), "test", now)
	must(tb, err)

	o := &Office{Keyring: kr, Log: issuancelog.New(db, logSigner, Origin), LogKey: logKey,
		DB: db, Blobs: blobs}
	o.Issuer = &certs.Issuer{
		Signer: signer, PDFSigner: pdfSigner, Renderer: r, Blobs: blobs,
		Store: &certs.Store{DB: db}, Log: o.Log, Records: records,
		Pages: archivePages{archive.NewStore(db), &archive.Ingester{Blobs: blobs, DB: db,
			TempDir: tb.TempDir()}},
		PublicURL: "https://sijil.example.org",
		Office:    "بلدية المدينة — City Municipality",
		Now:       func() time.Time { return now },
	}
	return o
}

// Verifier returns a verifier that trusts the office's keys and log.
func (o *Office) Verifier() *verify.Verifier {
	return &verify.Verifier{Keys: o.KeySet(), LogKey: o.LogKey}
}

// KeySet returns the office's public key set with its PDF certificate.
func (o *Office) KeySet() *verify.KeySet {
	ks := o.Keyring.KeySet("test", o.Issuer.PDFSigner.Cert)
	ks.LogKey = o.LogKey
	return ks
}

// Registry returns what a verify node of this office knows.
func (o *Office) Registry() *certs.Registry {
	return certs.NewRegistry(o.Issuer.Store, o.Log)
}

// openDB opens PostgreSQL for a test that pgtest.Rerun runs, else a
// SQLite file in dir.
func openDB(tb testing.TB, dir string) (*sql.DB, string) {
	if pgtest.Requested(tb) {
		return pgtest.Open(tb), sijil.DialectPostgres
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "sijil.db")+
		"?_pragma=busy_timeout(5000)&_txlock=immediate")
	must(tb, err)
	tb.Cleanup(func() { db.Close() })
	return db, sijil.DialectSQLite
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
