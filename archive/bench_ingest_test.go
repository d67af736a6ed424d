package archive_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

// BenchmarkBulkIngestVsTesseract measures the budget "bulk ingest within
// 10% of Tesseract alone on the same pages and workers" in one run. Copies
// of the shared real scans go through a bulk import into a fresh data
// folder (blob folder, SQLite, bleve index, as `sijil ingest --manifest`
// opens them); then bare tesseract replays the pipeline's own OCR calls,
// same arguments, on the very page images the pipeline gave it, on as many
// parallel processes as the import had workers; then it reads the scans
// as they are, with the arguments of the pipeline's reading (see
// asScanned).
//
// The pipeline's tesseract is a recording script that copies each input
// image aside and logs each call's arguments and times before handing over
// to the real command: that is what lets the baseline follow the pipeline
// whatever OCR arguments it adopts, and what splits the pipeline's time
// into its orientation (OSD) and OCR passes.
//
// ratio_pct is the wall-time ratio against the replay, which the images
// the pipeline makes Tesseract's work lighter on (a page cropped to its
// writing) lighten for the replay as much: what Sijil adds to Tesseract.
// scanned_ratio_pct is the ratio against bare tesseract on the scans as
// they are, which the budget's words say: what an archivist gains or
// loses by Sijil over running tesseract by hand. The cpu_ratio_pct
// figures compare the CPU spent per page, which other work on a shared
// machine moves less. With
// -benchtime Nx the import and its baseline take turns N times, and the
// figures are their sums, so that a change of load while one side runs
// weighs on both: on the shared 2-CPU machine, one round's ratio moves by
// ten points from one minute to the next.
// first_look_ms is the median time of the first look at a page, which makes
// the page image and the viewer's copies ingest leaves undone.
//
//	go test -run '^$' -bench BulkIngestVsTesseract -benchtime 4x -timeout 60m ./archive/
//
// SIJIL_BENCH_PAGES (default 24) is the number of pages, SIJIL_BENCH_WORKERS
// (default: the CPUs) the workers on both sides, SIJIL_BENCH_LANG (default:
// the pipeline's) the Tesseract languages, e.g. ara+eng.
//
// Two boxes are imported. "samples" holds every real scan: of its nine
// pages two are upside down and three are Latin pages read as Arabic, and
// pay for orientation detection, and for a reading more: of the page as
// scanned when it did not look turned (see looksTurned), or in English.
// "upright" holds only the scans of upright Arabic pages (the office scan,
// its PDF and the phone photo), as nearly every page of the municipality's
// registers is: what Sijil itself adds to Tesseract's work. "g4" holds the
// office scan alone, a bi-level CCITT Group 4 TIFF as fax-grade register
// scans are.
func BenchmarkBulkIngestVsTesseract(b *testing.B) {
	cfg := newIngestBench(b)
	for _, box := range []struct {
		name  string
		scans []benchScan
	}{
		{"samples", cfg.scans},
		{"upright", pickScans(b, cfg.scans, "building-administration.tif",
			"building-administration-scan.pdf", "building-administration-photo.jpg")},
		{"g4", pickScans(b, cfg.scans, "building-administration.tif")},
	} {
		b.Run(box.name, func(b *testing.B) {
			cfg := cfg
			cfg.scans = box.scans
			var sum ingestResult
			for i := range b.N {
				r := cfg.run(b)
				b.Logf("round %d: %.0f%% (%d pages in %v, bare %v), %.0f%% of the scans "+
					"as they are (%v)", i+1,
					100*r.baseline.Seconds()/r.ingest.Seconds()*float64(r.pages)/
						float64(r.baselinePages), r.pages, r.ingest.Round(time.Millisecond),
					r.baseline.Round(time.Millisecond), 100*r.scanned.Seconds()/r.ingest.Seconds(),
					r.scanned.Round(time.Millisecond))
				sum.add(r)
			}
			sum.report(b, cfg)
		})
	}
}

// pickScans returns the scans of the given file names, failing when one is
// missing, so that a box is never quietly smaller than it says.
func pickScans(b *testing.B, scans []benchScan, names ...string) []benchScan {
	var picked []benchScan
	for _, name := range names {
		i := slices.IndexFunc(scans, func(s benchScan) bool {
			return filepath.Base(s.path) == name
		})
		if i < 0 {
			b.Fatalf("the samples have no scan %s", name)
		}
		picked = append(picked, scans[i])
	}
	return picked
}

// ingestBench is what one run of the benchmark needs.
type ingestBench struct {
	scans     []benchScan
	pages     int
	workers   int
	languages []string
	tesseract string // absolute path of the real command
}

// benchScan is one real scan and its number of pages.
type benchScan struct {
	path  string
	pages int
}

func newIngestBench(b *testing.B) ingestBench {
	cfg := ingestBench{
		pages:     benchEnvInt(b, "SIJIL_BENCH_PAGES", 24),
		workers:   benchEnvInt(b, "SIJIL_BENCH_WORKERS", runtime.NumCPU()),
		languages: archive.DefaultLanguages,
	}
	if l := os.Getenv("SIJIL_BENCH_LANG"); l != "" {
		cfg.languages = strings.Split(l, "+")
	}
	for _, tool := range []string{"tesseract", "pdftoppm", "pdfinfo", "bash", "cp"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Fatalf("%s is missing: run make deps (%v)", tool, err)
		}
	}
	cfg.tesseract, _ = exec.LookPath("tesseract")
	cfg.scans = listScans(b)
	return cfg
}

func benchEnvInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("$%s=%q is not a positive number", name, v)
	}
	return n
}

// listScans finds the real scans of the shared samples folder (or
// $SIJIL_SAMPLES) and counts their pages. The benchmark is about real
// scans, so without them it fails rather than measure something else.
func listScans(b *testing.B) []benchScan {
	dir := os.Getenv("SIJIL_SAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "samples")
	}
	var scans []benchScan
	err := filepath.WalkDir(filepath.Join(dir, "scans"), func(path string, d os.DirEntry,
		err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		n, err := scanPages(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		scans = append(scans, benchScan{path: path, pages: n})
		return nil
	})
	if err != nil || len(scans) == 0 {
		b.Fatalf("no real scans in %s/scans (set $SIJIL_SAMPLES): %v", dir, err)
	}
	return scans
}

// scanPages counts the pages of a scan: PDF pages by pdfinfo, TIFF frames
// by their chain of image directories, one for anything else.
func scanPages(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	switch {
	case bytes.HasPrefix(data, []byte("%PDF")):
		out, err := exec.Command("pdfinfo", path).Output()
		if err != nil {
			return 0, fmt.Errorf("pdfinfo: %w", err)
		}
		_, after, _ := strings.Cut(string(out), "Pages:")
		return strconv.Atoi(strings.TrimSpace(strings.SplitN(after, "\n", 2)[0]))
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return tiffFrames(data)
	}
	return 1, nil
}

func tiffFrames(data []byte) (int, error) {
	var order binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		order = binary.BigEndian
	}
	n := 0
	for off := int64(order.Uint32(data[4:])); off != 0; n++ {
		if off+2 > int64(len(data)) || n > 10000 {
			return 0, errors.New("broken chain of TIFF frames")
		}
		next := off + 2 + 12*int64(order.Uint16(data[off:]))
		if next+4 > int64(len(data)) {
			return 0, errors.New("truncated TIFF frame")
		}
		off = int64(order.Uint32(data[next:]))
	}
	return n, nil
}

// run does one bulk import and its baseline, each in its own folders.
func (cfg ingestBench) run(b *testing.B) ingestResult {
	dir := b.TempDir()
	manifest, files := cfg.writeBox(b, filepath.Join(dir, "box"))
	rec := writeRecorder(b, dir, cfg.tesseract)

	var r ingestResult
	before := readUsage()
	in, took, pages := cfg.ingest(b, filepath.Join(dir, "data"), manifest, rec.script)
	after := readUsage()
	r.ingest, r.pages = took, pages.count
	r.goCPU, r.ingestChildCPU = after.self-before.self, after.children-before.children
	r.firstLooks = firstLooks(b, in, pages.shas)

	calls := rec.calls(b)
	var ocr []tesseractCall
	for _, c := range calls {
		switch {
		case c.capture == "":
		case c.isOSD():
			r.osdCalls++
			r.osd += c.took
		default:
			r.ocrCalls++
			r.ocr += c.took
			ocr = append(ocr, c)
		}
	}
	if len(ocr) == 0 {
		b.Fatalf("none of the pipeline's %d tesseract calls named an image file the "+
			"baseline could replay: %+v", len(calls), calls)
	}
	if len(ocr) != r.pages {
		b.Logf("the pipeline made %d OCR calls for %d pages; the baseline replays them all",
			len(ocr), r.pages)
	}

	before = readUsage()
	r.baseline, r.bare = cfg.replay(b, ocr, filepath.Join(dir, "bare"))
	r.baselineChildCPU = readUsage().children - before.children
	r.baselinePages = len(ocr)

	read := slices.IndexFunc(ocr, func(c tesseractCall) bool {
		i := slices.Index(c.args, "-l")
		return i >= 0 && i+1 < len(c.args) && c.args[i+1] == strings.Join(cfg.languages, "+")
	})
	if read < 0 {
		b.Fatalf("no OCR call read in the import's languages: %+v", ocr)
	}
	scans := asScanned(b, files, ocr[read].args, filepath.Join(dir, "scanned"))
	before = readUsage()
	r.scanned, _ = cfg.replay(b, scans, filepath.Join(dir, "scanned-out"))
	r.scannedChildCPU = readUsage().children - before.children
	return r
}

// asScanned is bare tesseract's reading of each scan of the box as it
// is, with the arguments of the pipeline's first reading (args): a TIFF,
// every frame in one run, a JPEG or a PNG read as they are; a PDF, which
// tesseract cannot open, by its pages' scanned images, extracted with
// pdfimages beforehand and untimed, or drawn at 300 dpi by pdftoppm
// when it has none.
func asScanned(b *testing.B, files, args []string, dir string) []tesseractCall {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var calls []tesseractCall
	for i, file := range files {
		inputs := []string{file}
		if strings.HasSuffix(file, ".pdf") {
			prefix := filepath.Join(dir, strconv.Itoa(i))
			run := func(tool string, args ...string) []string {
				if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
					b.Fatalf("%s %q: %v: %s", tool, args, err, out)
				}
				got, err := filepath.Glob(prefix + "-*.tif")
				if err != nil {
					b.Fatal(err)
				}
				return got
			}
			if inputs = run("pdfimages", "-tiff", file, prefix); len(inputs) == 0 {
				inputs = run("pdftoppm", "-r", "300", "-tiff", file, prefix)
			}
		}
		for _, in := range inputs {
			calls = append(calls, tesseractCall{capture: in, args: args})
		}
	}
	return calls
}

// writeBox copies scans into dir until they hold at least cfg.pages pages,
// and writes the manifest naming them. It returns the manifest's path and
// the copies'.
func (cfg ingestBench) writeBox(b *testing.B, dir string) (string, []string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var (
		rows  strings.Builder
		files []string
	)
	rows.WriteString(archive.ManifestHeader + "\n")
	for i, pages := 0, 0; pages < cfg.pages; i++ {
		s := cfg.scans[i%len(cfg.scans)]
		data, err := os.ReadFile(s.path)
		if err != nil {
			b.Fatal(err)
		}
		// Bytes after the end of the image (a comment, for a PDF) give each
		// copy its own hash, so that none is skipped as already archived,
		// while its pages stay the same.
		data = fmt.Appendf(data, "\n%%sijil-bench-%d\n", i)
		name := fmt.Sprintf("%03d-%s", i, filepath.Base(s.path))
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, filepath.Join(dir, name))
		fmt.Fprintf(&rows, "%s,other,BENCH/%d,,,,,,,,bench box 1\n", name, i)
		pages += s.pages
	}
	path := filepath.Join(dir, "manifest.csv")
	if err := os.WriteFile(path, []byte(rows.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, files
}

// ingest runs a bulk import of the manifest into a new data folder, timed
// from opening the folder to closing it, as the command runs, and returns
// its Ingester, the time and the pages archived.
func (cfg ingestBench) ingest(b *testing.B, data, manifest, tesseract string) (
	*archive.Ingester, time.Duration, boxPages) {
	ctx := context.Background()
	start := time.Now()
	db := openBenchDB(b, filepath.Join(data, "sijil.db"))
	blobs, err := archive.NewFolderBlobs(filepath.Join(data, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	idx, err := index.Open(filepath.Join(data, "index"))
	if err != nil {
		b.Fatal(err)
	}
	tmp := filepath.Join(data, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		b.Fatal(err)
	}

	// One page at a time per file, so that the import runs as many
	// Tesseracts as the baseline: cfg.workers.
	warn := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	in := &archive.Ingester{Blobs: blobs, DB: db, Index: index.Archive{Index: idx},
		OCR: archive.Tesseract{Path: tesseract}, Workers: 1, Languages: cfg.languages,
		Log: slog.New(warn), TempDir: tmp}
	m, err := archive.ReadManifest(manifest)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := (&archive.BulkImport{Ingester: in, Workers: cfg.workers}).Run(ctx, m)
	if err != nil {
		b.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)

	if rep.Done != len(m.Lines) {
		b.Fatalf("%d of %d lines archived: %+v", rep.Done, len(m.Lines), rep.Lines)
	}
	return in, took, countPages(b, db, rep)
}

// boxPages is what a box archived: its pages, and its originals' hashes.
type boxPages struct {
	count int
	shas  []string
}

func countPages(b *testing.B, db *sql.DB, rep archive.BulkReport) boxPages {
	store := archive.NewStore(db)
	var pages boxPages
	for _, l := range rep.Lines {
		rec, err := store.RecordByID(context.Background(), l.RecordID)
		if err != nil {
			b.Fatal(err)
		}
		pages.count += rec.PageCount
		pages.shas = append(pages.shas, rec.SHA256)
	}
	return pages
}

// firstLooks times the first look at the first page of a few of the
// archived records, one after another, as a search result's thumbnail
// asks for it: its page image made from the original, then its scaled
// copies, which ingest leaves to this look.
func firstLooks(b *testing.B, in *archive.Ingester, shas []string) []time.Duration {
	var took []time.Duration
	for _, sha := range shas[:min(len(shas), 6)] {
		start := time.Now()
		rc, _, err := in.PageImage(context.Background(), sha, 1, archive.ImageThumb)
		if err != nil {
			b.Fatalf("first look at %s: %v", sha, err)
		}
		rc.Close()
		took = append(took, time.Since(start))
	}
	return took
}

// openBenchDB opens SQLite as cmd/sijil does for an ingest: WAL, waiting
// on locks, write lock at the start of a transaction.
func openBenchDB(b *testing.B, path string) *sql.DB {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)"+
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := archive.Migrate(context.Background(), db, sijil.DialectSQLite); err != nil {
		b.Fatal(err)
	}
	return db
}

// recorder is a bash script standing in for tesseract.
type recorder struct {
	script, log, captures string
}

// recorderScript copies the input image (when the first argument is a
// file), runs the real tesseract, and appends one tab-separated line per
// call: start, end, exit status, the copy, then the arguments. One printf
// per line keeps the lines of parallel calls whole.
const recorderScript = `#!/bin/bash
cap=
if [ -f "$1" ]; then
	cap='%[1]s'/"$BASHPID-${EPOCHREALTIME/./}-${1##*/}"
	cp -- "$1" "$cap" || exit 1
fi
start=$EPOCHREALTIME
'%[2]s' "$@"
rc=$?
printf -v line '%%s\t' "$start" "$EPOCHREALTIME" "$rc" "$cap" "$@"
printf '%%s\n' "$line" >> '%[3]s'
exit $rc
`

func writeRecorder(b *testing.B, dir, tesseract string) recorder {
	r := recorder{script: filepath.Join(dir, "tesseract"), log: filepath.Join(dir, "calls.log"),
		captures: filepath.Join(dir, "captures")}
	if err := os.MkdirAll(r.captures, 0o755); err != nil {
		b.Fatal(err)
	}
	script := fmt.Sprintf(recorderScript, r.captures, tesseract, r.log)
	if err := os.WriteFile(r.script, []byte(script), 0o755); err != nil {
		b.Fatal(err)
	}
	return r
}

// tesseractCall is one run of tesseract by the pipeline.
type tesseractCall struct {
	took    time.Duration
	capture string // copy of the input image; "" for --list-langs and the like
	args    []string
}

// isOSD tells an orientation pass (--psm 0, or the osd language alone)
// from an OCR pass.
func (c tesseractCall) isOSD() bool {
	for i := 0; i+1 < len(c.args); i++ {
		if c.args[i] == "--psm" && c.args[i+1] == "0" ||
			c.args[i] == "-l" && c.args[i+1] == "osd" {
			return true
		}
	}
	return false
}

func (r recorder) calls(b *testing.B) []tesseractCall {
	data, err := os.ReadFile(r.log)
	if err != nil {
		b.Fatal(err)
	}
	var calls []tesseractCall
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Split(strings.TrimSuffix(line, "\t"), "\t")
		if len(f) < 5 {
			b.Fatalf("recorder line %q", line)
		}
		start, err1 := strconv.ParseFloat(f[0], 64)
		end, err2 := strconv.ParseFloat(f[1], 64)
		if err := errors.Join(err1, err2); err != nil {
			b.Fatalf("recorder line %q: %v", line, err)
		}
		if f[2] != "0" {
			b.Fatalf("the pipeline's tesseract %q failed with status %s", f[4:], f[2])
		}
		calls = append(calls, tesseractCall{capture: f[3], args: f[4:],
			took: time.Duration((end - start) * float64(time.Second))})
	}
	return calls
}

// replay runs bare tesseract once for each call on cfg.workers processes,
// the call's image copy in place of the pipeline's temp file and any
// output files in out; stdout is read as the pipeline reads it. It returns
// the wall time and the summed time of the calls.
func (cfg ingestBench) replay(b *testing.B, calls []tesseractCall, out string) (
	wall, sum time.Duration) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		b.Fatal(err)
	}
	var (
		mu   sync.Mutex
		errs []error
		work = make(chan int)
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range cfg.workers {
		wg.Go(func() {
			for i := range work {
				took, err := cfg.bare(calls[i], filepath.Join(out, strconv.Itoa(i)))
				mu.Lock()
				sum += took
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	for i := range calls {
		work <- i
	}
	close(work)
	wg.Wait()
	wall = time.Since(start)

	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	return wall, sum
}

func (cfg ingestBench) bare(c tesseractCall, outBase string) (time.Duration, error) {
	args := slices.Clone(c.args)
	args[0] = c.capture
	if len(args) > 1 && args[1] != "stdout" && args[1] != "-" {
		args[1] = outBase
	}
	cmd := exec.Command(cfg.tesseract, args...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("tesseract %q: %w: %s", args, err, stderr.String())
	}
	return time.Since(start), nil
}

// usage is the CPU time and peak resident memory of this process and of
// its children that have ended (the largest of them, for memory).
type usage struct {
	self, children       time.Duration
	selfRSS, childrenRSS int64 // bytes
}

func readUsage() usage {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self) // cannot fail with these arguments
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	cpu := func(r syscall.Rusage) time.Duration {
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	// Linux reports maxrss in KiB.
	return usage{self: cpu(self), children: cpu(children),
		selfRSS: self.Maxrss << 10, childrenRSS: children.Maxrss << 10}
}

// ingestResult adds up the runs of the benchmark.
type ingestResult struct {
	pages, baselinePages      int
	ingest, baseline, scanned time.Duration // wall
	osd, ocr, bare            time.Duration // summed over the calls
	osdCalls, ocrCalls        int

	goCPU, ingestChildCPU, baselineChildCPU, scannedChildCPU time.Duration
	firstLooks                                               []time.Duration
}

func (r *ingestResult) add(o ingestResult) {
	r.pages += o.pages
	r.baselinePages += o.baselinePages
	r.ingest += o.ingest
	r.baseline += o.baseline
	r.scanned += o.scanned
	r.scannedChildCPU += o.scannedChildCPU
	r.osd += o.osd
	r.ocr += o.ocr
	r.bare += o.bare
	r.osdCalls += o.osdCalls
	r.ocrCalls += o.ocrCalls
	r.goCPU += o.goCPU
	r.ingestChildCPU += o.ingestChildCPU
	r.baselineChildCPU += o.baselineChildCPU
	r.firstLooks = append(r.firstLooks, o.firstLooks...)
}

// report gives the wall-time ratio the budget is written in, and the CPU
// ratio beside it: on a machine shared with other work the load changes
// between the two timed runs, which moves the wall ratio but hardly the
// CPU each side spends on a page.
func (r ingestResult) report(b *testing.B, cfg ingestBench) {
	perPage := func(d time.Duration, n int) float64 {
		return float64(d.Milliseconds()) / float64(max(n, 1))
	}
	sijilRate := float64(r.pages) / r.ingest.Seconds()
	bareRate := float64(r.baselinePages) / r.baseline.Seconds()
	sijilCPU := perPage(r.goCPU+r.ingestChildCPU, r.pages)
	bareCPU := perPage(r.baselineChildCPU, r.baselinePages)
	scannedRate := float64(r.pages) / r.scanned.Seconds()
	scannedCPU := perPage(r.scannedChildCPU, r.pages)
	u := readUsage()
	mb := func(n int64) float64 { return float64(n) / (1 << 20) }

	b.ReportMetric(sijilRate, "sijil_pages/s")
	b.ReportMetric(bareRate, "tesseract_pages/s")
	b.ReportMetric(100*sijilRate/bareRate, "ratio_pct")
	b.ReportMetric(100*bareCPU/sijilCPU, "cpu_ratio_pct")
	b.ReportMetric(100*sijilRate/scannedRate, "scanned_ratio_pct")
	b.ReportMetric(100*scannedCPU/sijilCPU, "scanned_cpu_ratio_pct")
	b.ReportMetric(mb(u.selfRSS), "self_peak_MB")
	b.ReportMetric(mb(u.childrenRSS), "child_peak_MB")
	b.ReportMetric(perPage(r.osd, r.pages), "osd_ms/page")
	b.ReportMetric(perPage(r.ocr, r.ocrCalls), "ocr_ms/call")
	b.ReportMetric(perPage(r.bare, r.baselinePages), "bare_ms/call")
	b.ReportMetric(perPage(r.goCPU, r.pages), "go_cpu_ms/page")
	slices.Sort(r.firstLooks)
	look := r.firstLooks[len(r.firstLooks)/2]
	b.ReportMetric(float64(look.Milliseconds()), "first_look_ms")

	// Where the workers' time went beyond reading each page once, as bare
	// tesseract reads it: orientation detection, second readings of turned
	// pages and of pages in another script than the import's languages (at
	// the pipeline's mean OCR call), and the rest: Go work
	// (decoding, turning, the image Tesseract reads, SQLite, bleve),
	// poppler, and waiting at the end for the last file.
	work := time.Duration(cfg.workers) * r.ingest
	perCall := r.ocr / time.Duration(max(r.ocrCalls, 1))
	once := perCall * time.Duration(r.pages)
	again := r.ocr - once
	other := work - r.osd - r.ocr
	b.Logf("bulk ingest of %d pages on %d workers (languages %s): %.2f pages/s, against "+
		"%.2f for bare tesseract replaying the pipeline's %d OCR calls on the same images: "+
		"%.0f%% (by CPU per page, %.0f ms against %.0f: %.0f%%). An OCR call took %.0f ms "+
		"in the pipeline, %.0f bare. Worker time per page: %.0f ms reading it once, %.0f in "+
		"%d OSD calls, %.0f in %d second readings (turned pages, pages in another script), "+
		"%.0f elsewhere (Go CPU %.0f, "+
		"tools' %.0f in all). Peak RSS %.0f MB for this process, %.0f MB for the largest "+
		"child. The first look at a page (its thumbnail, made then) took %.0f ms at the "+
		"median, %.0f at most. Load average at the end: %s. Bare tesseract reading the "+
		"scans as they are (no turning, levelling or cropping; a PDF by its pages' "+
		"images): %.2f pages/s, %.0f%% (by CPU per page, %.0f ms: %.0f%%).",
		r.pages, cfg.workers, strings.Join(cfg.languages, "+"), sijilRate, bareRate,
		r.ocrCalls, 100*sijilRate/bareRate, sijilCPU, bareCPU, 100*bareCPU/sijilCPU,
		perPage(perCall, 1), perPage(r.bare, r.baselinePages),
		perPage(once, r.pages), perPage(r.osd, r.pages), r.osdCalls,
		perPage(again, r.pages), r.ocrCalls-r.pages, perPage(other, r.pages),
		perPage(r.goCPU, r.pages), perPage(r.ingestChildCPU, r.pages),
		mb(u.selfRSS), mb(u.childrenRSS), perPage(look, 1),
		perPage(r.firstLooks[len(r.firstLooks)-1], 1), loadAverage(),
		scannedRate, 100*sijilRate/scannedRate, scannedCPU, 100*scannedCPU/sijilCPU)
}

// loadAverage says how busy the machine was, which the figures depend on.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}
