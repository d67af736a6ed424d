package archive_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/internal/pgtest"
)

// bulkManifest is a manifest with one line of each kind a bulk import must
// tell apart. The national ID 123456782 is valid, 123456789 is not.
const bulkManifest = archive.ManifestHeader + "\n" + permitRow +
	"deed.png,deed,202/2001,2001-13-40,,,,,,,R1/B3\n" +
	"missing.png,deed,,,,,,,,,\n" +
	"../outside.png,deed,,,,,,,,,\n" +
	"/etc/passwd,deed,,,,,,,,,\n" +
	"licence.png,craft_licence,303,,خالد العطار,123456789,,,,,\n" +
	permitRow +
	"licence.png,craft_licence,303,١٩٨٥,خالد العطار,,,,الشجاعية,,\n"

// permitRow is a line with every field filled in.
const permitRow = "permit.png,building_permit,101/1998,1998-05-02," +
	"أحمد الخطيب;سعاد الخطيب,123456782,1234,56,الرمال,شارع عمر المختار,R1/B2\n"

func TestBulkImport(t *testing.T) {
	f := bulkFixture(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "box")
	writeFiles(t, map[string][]byte{
		filepath.Join(dir, "permit.png"):  encodePNG(t, textPage(t, []string{"Permit 101"})),
		filepath.Join(dir, "deed.png"):    encodePNG(t, textPage(t, []string{"Deed 202"})),
		filepath.Join(dir, "licence.png"): encodePNG(t, textPage(t, []string{"Licence 303"})),
		filepath.Join(parent, "outside.png"): encodePNG(t,
			textPage(t, []string{"Outside"})),
		filepath.Join(dir, "manifest.csv"): []byte(bulkManifest),
	})
	m, err := archive.ReadManifest(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}

	bulk := &archive.BulkImport{Ingester: f.in, Workers: 2}
	rep, err := bulk.Run(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	checkBulkReport(t, rep)
	records, pages := f.countRows(t)
	if records != 2 || pages != 2 {
		t.Fatalf("%d records and %d pages, want 2 and 2", records, pages)
	}
	checkBulkMetadata(t, f, rep.Lines[0].RecordID)
	checkBulkRecord(t, f, rep.Lines[0].RecordID, filepath.Join(dir, "permit.png"))
	checkYearOnly(t, f, rep.Lines[7].RecordID)
	checkImportQueue(t, f, rep.JobID)

	again, err := bulk.Run(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if again.JobID == rep.JobID || again.Done != 3 || again.Refused != 5 {
		t.Errorf("re-run of a finished manifest: %+v", again)
	}
	if r, p := f.countRows(t); r != records || p != pages {
		t.Errorf("re-run wrote rows: %d records, %d pages", r, p)
	}
}

// checkBulkReport compares every line's state and reason.
func checkBulkReport(t *testing.T, rep archive.BulkReport) {
	t.Helper()
	type line struct{ State, Reason string }
	var got []line
	for _, l := range rep.Lines {
		if l.State == archive.LineDone {
			l.Reason = "" // which of two equal files archived first is a race
		}
		got = append(got, line{l.State, l.Reason})
	}
	want := []line{
		{"done", ""},
		{"refused", `date "2001-13-40" is written right but does not exist (a 13th month, ` +
			`a 30 February): check it against the register`},
		{"refused", "missing.png does not exist"},
		{"refused", "../outside.png is not a path inside the manifest's folder"},
		{"refused", "/etc/passwd is not a path inside the manifest's folder"},
		{"refused", "national ID number 1 is not 9 digits with a valid check digit"},
		{"done", ""},
		{"done", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines:\n got %q\nwant %q", got, want)
	}
	if rep.Lines[0].RecordID == "" || rep.Lines[0].RecordID != rep.Lines[6].RecordID {
		t.Errorf("the same file twice should give one record: %q and %q",
			rep.Lines[0].RecordID, rep.Lines[6].RecordID)
	}
	if rep.Lines[0].Reason+rep.Lines[6].Reason != "already archived" {
		t.Errorf("one of the two equal lines should say it was already archived: %q, %q",
			rep.Lines[0].Reason, rep.Lines[6].Reason)
	}
}

func checkBulkMetadata(t *testing.T, f *fixture, recordID string) {
	t.Helper()
	got, err := archive.RecordBulkMetadata(context.Background(), f.db, recordID)
	if err != nil {
		t.Fatal(err)
	}
	want := archive.BulkMetadata{RecordType: "building_permit", Reference: "101/1998",
		Date: "1998-05-02", Names: []string{"أحمد الخطيب", "سعاد الخطيب"},
		NationalIDs: []string{"123456782"}, Parcel: "1234", Plot: "56",
		Neighbourhood: "الرمال", Street: "شارع عمر المختار", Source: "R1/B2"}
	// go-cmp is not among the module's requirements.
	if !reflect.DeepEqual(got, want) {
		t.Errorf("metadata:\n got %+v\nwant %+v", got, want)
	}
}

// checkBulkRecord checks that the manifest's fields are on the record
// itself, where search and the archivist see them, and that one file
// named twice by a manifest is no duplicate.
func checkBulkRecord(t *testing.T, f *fixture, recordID, origin string) {
	t.Helper()
	ctx := context.Background()
	rec, err := f.store.RecordByID(ctx, recordID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Reference != "101/1998" || rec.Date != "1998-05-02" || rec.Year != 1998 ||
		!slices.Equal(rec.Names, []string{"أحمد الخطيب", "سعاد الخطيب"}) ||
		!slices.Equal(rec.NationalIDs, []string{"123456782"}) || rec.Parcel != "1234" ||
		rec.Plot != "56" || rec.Neighbourhood != "الرمال" || rec.Street != "شارع عمر المختار" ||
		rec.Source != "R1/B2" || rec.Origin != origin || rec.Restricted {
		t.Errorf("record of the permit's line: %+v", rec)
	}
	flags, err := f.store.Duplicates(ctx, archive.DuplicateFilter{})
	if err != nil || len(flags) != 0 {
		t.Errorf("flags after one import of distinct files: %+v, %v", flags, err)
	}
}

// checkYearOnly checks that a line dated by its year alone, as old
// records often are, was archived with that year for the year filter.
func checkYearOnly(t *testing.T, f *fixture, recordID string) {
	t.Helper()
	rec, err := f.store.RecordByID(context.Background(), recordID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Date != "1985" || rec.Year != 1985 {
		t.Errorf("licence dated ١٩٨٥: date %q, year %d; want 1985 for both", rec.Date, rec.Year)
	}
}

// checkImportQueue checks what the archivist's import page lists.
func checkImportQueue(t *testing.T, f *fixture, jobID string) {
	t.Helper()
	ctx := context.Background()
	jobs, err := f.store.ImportJobs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != jobID || jobs[0].Total != 8 || jobs[0].Done != 3 ||
		jobs[0].Refused != 5 || jobs[0].FinishedAt.IsZero() {
		t.Errorf("import jobs: %+v", jobs)
	}
	problems, err := f.store.ImportJobLines(ctx, jobID, true)
	if err != nil || len(problems) != 5 || problems[0].Line != 3 ||
		problems[0].State != archive.LineRefused || problems[0].Reason == "" {
		t.Errorf("problem lines: %+v, %v", problems, err)
	}
	_, err = f.store.ImportJobLines(ctx, "job_0000000000000000", false)
	wantKind(t, err, sijil.NotFound, "archive.job_not_found")
}

func TestBulkRestrictedColumn(t *testing.T) {
	f := bulkFixture(t)
	dir := writeBox(t, map[string]string{"a.png": "Deed 1", "b.png": "Deed 2"},
		archive.ManifestHeaderRestricted+"\n"+
			"a.png,deed,1,,,,,,,,,yes\n"+"b.png,deed,2,,,,,,,,,\n"+
			"b.png,deed,2,,,,,,,,,perhaps\n")
	rep := importBox(t, f, dir)
	if rep.Done != 2 || rep.Lines[2].Reason != `restricted "perhaps" is not yes or no` {
		t.Fatalf("report: %+v", rep)
	}
	for i, want := range []bool{true, false} {
		rec, err := f.store.RecordByID(context.Background(), rep.Lines[i].RecordID)
		if err != nil || rec.Restricted != want {
			t.Errorf("line %d: restricted %v (%v), want %v", i+2, rec.Restricted, err, want)
		}
	}
}

func TestBulkManifestHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.csv")
	header := strings.Replace(archive.ManifestHeader, "names", "owners", 1)
	writeFiles(t, map[string][]byte{path: []byte(header + "\n")})
	_, err := archive.ReadManifest(path)
	wantKind(t, err, sijil.Invalid, "bulk.header")
}

// bulkFixture is newFixture on a database opened as cmd/sijil opens it:
// with several workers writing, SQLite must wait for its lock.
func bulkFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	if pgtest.Requested(t) {
		return f // PostgreSQL's writers wait for their row locks as they are
	}
	path := filepath.Join(t.TempDir(), "sijil.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)"+
		"&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := archive.Migrate(context.Background(), db, sijil.DialectSQLite); err != nil {
		t.Fatal(err)
	}
	f.in.DB, f.db, f.store = db, db, archive.NewStore(db)
	return f
}

func writeFiles(t *testing.T, files map[string][]byte) {
	t.Helper()
	for path, data := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBulkRefusesLinesThatAreNotText: a NUL or broken UTF-8 in one line of
// a manifest (PostgreSQL stores neither) refuses that line with its reason,
// and the others are imported, instead of the whole import failing.
func TestBulkRefusesLinesThatAreNotText(t *testing.T) {
	f := bulkFixture(t)
	dir := writeBox(t, map[string]string{"a.png": "Permit 101", "b.png": "Deed 202"},
		archive.ManifestHeader+"\n"+
			"a.png,deed,1/1990,,Ahmad,,,,,,\n"+
			"b.png,deed,2/1990,,Ah\x00mad,,,,,,\n"+
			"c\xff.png,deed,3/1990,,,,,,,,\n")
	rep := importBox(t, f, dir)
	var got []string
	for _, l := range rep.Lines {
		got = append(got, l.State+" "+l.Reason)
	}
	want := []string{"done ",
		"refused the names field holds bytes that are not text (a NUL or broken UTF-8): " +
			"save the manifest as UTF-8 text",
		"refused the file field holds bytes that are not text (a NUL or broken UTF-8): " +
			"save the manifest as UTF-8 text"}
	if !slices.Equal(got, want) {
		t.Errorf("lines:\n got %q\nwant %q", got, want)
	}
}

// TestBulkSameFileDescribedTwice: the same file on two lines that describe
// it differently makes one record; the other line says which of its fields
// were not applied, instead of passing as merely "already archived".
func TestBulkSameFileDescribedTwice(t *testing.T) {
	f := bulkFixture(t)
	dir := writeBox(t, map[string]string{"a.png": "Permit 101"},
		archive.ManifestHeader+"\n"+
			"a.png,deed,1/1990,,Ahmad,,,,,,\n"+
			"a.png,deed,2/1990,1990,Ahmad,,,,,,\n")
	rep := importBox(t, f, dir)
	if rep.Done != 2 || rep.Lines[0].RecordID != rep.Lines[1].RecordID {
		t.Fatalf("report %+v", rep)
	}
	want := "already archived; this line's reference, date differ from the record's and " +
		"were not applied: correct the record on its page"
	if got := rep.Lines[1].Reason; got != want {
		t.Errorf("the second line says %q, want %q", got, want)
	}
	if got := rep.Lines[1].NotApplied(); !slices.Equal(got, []string{"reference", "date"}) {
		t.Errorf("fields not applied: %q", got)
	}
	problems, err := f.store.ImportJobLines(context.Background(), rep.JobID, true)
	if err != nil || len(problems) != 1 || problems[0].Line != rep.Lines[1].Line {
		t.Errorf("the problems of the job: %+v, %v", problems, err)
	}
}

// TestBulkFailedLineKeepsItsCauseInTheLog: a line that fails for a cause
// not the file's (here an OCR engine that crashes) says so in words the
// imports page can show, without the server's tools and temporary paths.
func TestBulkFailedLineKeepsItsCauseInTheLog(t *testing.T) {
	f := bulkFixture(t)
	f.in.OCR = archive.Tesseract{Path: "/bin/false"}
	dir := writeBox(t, map[string]string{"a.png": "Permit 101"},
		archive.ManifestHeader+"\n"+
			"a.png,deed,1/1990,,,,,,,,\n")
	rep := importBox(t, f, dir)
	l := rep.Lines[0]
	if l.State != archive.LineFailed || l.ReasonKey != "bulk.failed" ||
		strings.Contains(l.Reason, "/bin/false") || strings.Contains(l.Reason, os.TempDir()) {
		t.Errorf("failed line: %+v", l)
	}
}

// TestBulkLinkOutsideTheFolder: a symbolic link in the box that leads out
// of it is refused as outside the manifest's folder, saying so.
func TestBulkLinkOutsideTheFolder(t *testing.T) {
	f := bulkFixture(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "box")
	writeFiles(t, map[string][]byte{
		filepath.Join(parent, "secret.png"): encodePNG(t, textPage(t, []string{"Secret"})),
		filepath.Join(dir, "manifest.csv"): []byte(archive.ManifestHeader + "\n" +
			"link.png,deed,1/1990,,,,,,,,\n"),
	})
	if err := os.Symlink(filepath.Join(parent, "secret.png"),
		filepath.Join(dir, "link.png")); err != nil {
		t.Fatal(err)
	}
	rep := importBox(t, f, dir)
	l := rep.Lines[0]
	if l.State != archive.LineRefused || l.ReasonKey != "bulk.outside" ||
		l.Reason != "link.png is a link that leads outside the manifest's folder" {
		t.Errorf("line %+v", l)
	}
}

// importBox imports the manifest.csv of dir on one worker, so that its
// lines are taken in order, and returns the report.
func importBox(t *testing.T, f *fixture, dir string) archive.BulkReport {
	t.Helper()
	m, err := archive.ReadManifest(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&archive.BulkImport{Ingester: f.in, Workers: 1}).Run(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// writeBox writes a manifest.csv and a page image of each named text
// into a new folder, a box of scans as an archivist brings it, and
// returns the folder.
func writeBox(t *testing.T, pages map[string]string, manifest string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{filepath.Join(dir, "manifest.csv"): []byte(manifest)}
	for name, text := range pages {
		files[filepath.Join(dir, name)] = encodePNG(t, textPage(t, []string{text}))
	}
	writeFiles(t, files)
	return dir
}
