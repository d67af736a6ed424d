package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

// TestImportsShowRefusedLines: a bulk import's job is listed with its
// counts, and its page gives each line that was not archived its reason.
func TestImportsShowRefusedLines(t *testing.T) {
	p := newPortal(t)
	dir := t.TempDir()
	manifest := filepath.Join(dir, "manifest.csv")
	err := os.WriteFile(manifest, []byte(archive.ManifestHeader+"\n"+
		"missing.tif,deed,3103,,,,,,,,box 9\n"+
		"other.tif,deed,3104,1999-99-99,,,,,,,box 9\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	m, err := archive.ReadManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	// Both lines are refused before any file is read: no OCR runs.
	bulk := archive.BulkImport{Ingester: &archive.Ingester{Blobs: p.office.Blobs,
		DB: p.office.DB, Index: index.Archive{}}, Workers: 1}
	rep, err := bulk.Run(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}

	b := p.browser(t)
	b.lang = "en"
	b.signInStaff(p, "archivist", accounts.RoleArchivist)
	r := b.get("/archive/imports")
	r.mustContain(t, manifest, "/archive/imports/"+rep.JobID,
		`"Archived">0</td><td data-label="Refused">2</td>`)
	r = b.get("/archive/imports/" + rep.JobID)
	r.mustContain(t, "missing.tif does not exist", "other.tif does not exist",
		"Refused")

	// In Arabic the reasons come from the catalogs, not the recorded English.
	b.lang = "ar"
	r = b.get("/archive/imports/" + rep.JobID)
	r.mustContain(t, "الملف غير موجود في مجلد البيان.")
	r.mustNotContain(t, "does not exist")
	if r := b.get("/archive/imports/job_0000000000000000"); r.status != http.StatusNotFound {
		t.Errorf("a job that does not exist: %d", r.status)
	}
}

// TestImportsShowDescriptionsNotApplied: a line that found its file
// archived already, and described it otherwise, is listed with the
// problems, in the reader's language, naming the fields not applied.
func TestImportsShowDescriptionsNotApplied(t *testing.T) {
	p := newPortal(t)
	dir := t.TempDir()
	scan := testScan(t, "building-administration.tif")
	if err := os.WriteFile(filepath.Join(dir, "permit.tif"), scan, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "manifest.csv")
	err := os.WriteFile(manifest, []byte(archive.ManifestHeader+"\n"+
		"permit.tif,building_permit,4517,,,,,,,,box 9\n"+
		"permit.tif,building_permit,4518,,,,,,,,box 9\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	m, err := archive.ReadManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&archive.BulkImport{Ingester: p.ingest, Workers: 1}).Run(
		context.Background(), m)
	if err != nil || rep.Done != 2 {
		t.Fatalf("import: %+v, %v", rep, err)
	}

	b := p.browser(t)
	b.lang = "ar"
	b.signInStaff(p, "archivist", accounts.RoleArchivist)
	r := b.get("/archive/imports/" + rep.JobID)
	r.mustContain(t, "يصفه بغير ما في سجله (الرقم المرجعي)")
	r.mustNotContain(t, "differ from the record")
}
