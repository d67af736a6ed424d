package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samplesDir finds the shared real scans: $SIJIL_SAMPLES, else the
// shared/samples folder beside the checkout.
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SIJIL_SAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "samples")
	}
	if _, err := os.Stat(filepath.Join(dir, "scans")); err != nil {
		t.Skipf("no real sample scans at %s (set SIJIL_SAMPLES)", dir)
	}
	return dir
}

// TestRealScansAreFoundByArabicSearch ingests every real scan variant
// through the binary, then finds each of them by words typed the way a
// clerk types them: without the hamza the record has (إستخراج).
func TestRealScansAreFoundByArabicSearch(t *testing.T) {
	requireTools(t)
	scans := filepath.Join(samplesDir(t), "scans")
	data := t.TempDir()

	files := []string{
		"building-administration.tif", "building-administration-2pages.tif",
		"building-administration-upside-down.tif", "building-administration-photo.jpg",
		"building-administration-scan.pdf",
	}
	args := []string{"ingest", "--data", data}
	for _, f := range files {
		args = append(args, filepath.Join(scans, f))
	}
	out := sijil(t, 0, args...)

	ids := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("ingest printed %q", line)
		}
		ids[fields[0]] = filepath.Base(fields[1])
	}
	if len(ids) != len(files) {
		t.Fatalf("ingest made %d records for %d files:\n%s", len(ids), len(files), out)
	}

	found := map[string]bool{}
	for _, h := range searchJSON(t, data, "استخراج تراخيص البناء") {
		found[h["record_id"].(string)] = true
	}
	for id, file := range ids {
		if !found[id] {
			t.Errorf("%s (%s) is not found by an Arabic search for its text", file, id)
		}
	}
}
