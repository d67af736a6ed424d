package main_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	_ "modernc.org/sqlite"
)

// TestBulkIngestSurvivesKill kills a bulk import with SIGKILL after its
// first file is archived, runs it again, and compares what both data
// folders hold with an uninterrupted run's.
func TestBulkIngestSurvivesKill(t *testing.T) {
	requireTools(t)
	manifest := writeBulkManifest(t, 6)

	whole := t.TempDir()
	sijil(t, 1, "ingest", "--data", whole, "--manifest", manifest, "--workers", "2")
	want := bulkState(t, whole)

	killed := t.TempDir()
	done := killAfterFirstFile(t, killed, manifest)
	if done >= 6 {
		t.Fatalf("the import finished before it was killed (%d lines done)", done)
	}
	t.Logf("killed with %d of 7 lines done", done)
	// What a killed run spooled stays in the data folder, never the
	// machine's temp, and the next run clears it: scans may be restricted.
	stale := filepath.Join(killed, "tmp", "sijil-ingest-1", "upload-1")
	if err := os.MkdirAll(filepath.Dir(stale), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("a restricted scan"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A copy of an original another process is making a page image from
	// (`sijil issue` beside the server) is left alone; one an hour old is
	// what a killed making left.
	making := filepath.Join(killed, "tmp", "sijil-original-2")
	abandoned := filepath.Join(killed, "tmp", "sijil-original-1")
	for _, dir := range []string{making, abandoned} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(abandoned, old, old); err != nil {
		t.Fatal(err)
	}
	out := sijil(t, 1, "ingest", "--data", killed, "--manifest", manifest, "--workers", "2")
	left, err := os.ReadDir(filepath.Join(killed, "tmp"))
	if err != nil || len(left) != 1 || left[0].Name() != filepath.Base(making) {
		t.Errorf("the data folder's tmp after the resume holds %v (%v), want only %s",
			left, err, filepath.Base(making))
	}
	if !strings.Contains(out, "6 archived, 1 refused") {
		t.Errorf("report after the resume:\n%s", out)
	}
	if !strings.Contains(out, "line 5\tpage4.png\trefused\trecord_type \"letter\"") {
		t.Errorf("report does not give the refused line's reason:\n%s", out)
	}
	if got := bulkState(t, killed); !slices.Equal(got, want) {
		t.Errorf("after kill and resume:\n got %q\nwant %q", got, want)
	}

	// A finished manifest run again is a new job that archives nothing new.
	again := sijil(t, 1, "ingest", "--data", whole, "--manifest", manifest)
	if got := recordState(t, whole); !slices.Equal(got, want[:6]) ||
		!strings.Contains(again, "6 archived, 1 refused") {
		t.Errorf("a re-run changed the archive:\n got %q\nwant %q\n%s", got, want[:6], again)
	}
}

// killAfterFirstFile starts a bulk import on one worker, kills it as soon
// as it logs its first archived file, and returns the lines then done.
func killAfterFirstFile(t *testing.T, data, manifest string) int {
	t.Helper()
	cmd := exec.Command(sijilBin, "ingest", "--data", data, "--manifest", manifest,
		"--workers", "1")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "archive ingested a file") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no file archived in 30 s:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: nothing gets to clean up
		t.Fatal(err)
	}
	_ = cmd.Wait() // the exit status of a killed process says nothing more

	var done int
	db := openDB(t, data)
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM ingest_job_lines WHERE state = 'done'`).
		Scan(&done); err != nil {
		t.Fatal(err)
	}
	return done
}

// bulkState lists what a data folder holds, free of random ids: each
// record's hash and pages, each job line's state, the number of jobs.
func bulkState(t *testing.T, data string) []string {
	t.Helper()
	db := openDB(t, data)
	defer db.Close()

	lines := queryStrings(t, db, `SELECT l.line || ' ' || l.file || ' ' || l.state || ' ' ||
		CASE l.state WHEN 'done' THEN r.sha256 ELSE l.reason END
		FROM ingest_job_lines l LEFT JOIN records r ON r.id = l.record_id
		ORDER BY l.line`)
	jobs := queryStrings(t, db, `SELECT count(*) || ' jobs' FROM ingest_jobs`)
	return slices.Concat(recordState(t, data), lines, jobs)
}

// recordState lists each record's hash, page count, pages and metadata rows.
func recordState(t *testing.T, data string) []string {
	t.Helper()
	db := openDB(t, data)
	defer db.Close()
	return queryStrings(t, db, `SELECT r.sha256 || ' ' || r.page_count || ' ' ||
		(SELECT count(*) FROM pages p WHERE p.record_id = r.id) || ' ' ||
		(SELECT count(*) FROM record_manifest_metadata m WHERE m.record_id = r.id)
		FROM records r ORDER BY r.sha256`)
}

func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func openDB(t *testing.T, data string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "sijil.db")+
		"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// writeBulkManifest draws n one-page scans and a manifest naming them,
// with one more line whose record type is wrong.
func writeBulkManifest(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("file,record_type,reference,date,names,national_ids,parcel,plot," +
		"neighbourhood,street,source\n")
	for i := 1; i <= n+1; i++ {
		name := fmt.Sprintf("page%d.png", i)
		writePNG(t, filepath.Join(dir, name), fmt.Sprintf("Permit %d of box 7", i))
		kind := "building_permit"
		if i == 4 {
			kind = "letter"
		}
		fmt.Fprintf(&csv, "%s,%s,%d/1998,1998-01-0%d,خالد العطار,123456782,%d,,,,box 7\n",
			name, kind, i, i, i)
	}
	path := filepath.Join(dir, "manifest.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writePNG draws a line of text on a small white page.
func writePNG(t *testing.T, path, text string) {
	t.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 40, DPI: 72})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()

	img := image.NewGray(image.Rect(0, 0, 900, 300))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.Black, Face: face, Dot: fixed.P(60, 150)}
	d.DrawString(text)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer the test may read while a process writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
