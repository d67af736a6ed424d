package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

// TestFixityAndReindexCommands drives both commands through the binary:
// a clean archive passes, a deleted index is rebuilt and found by search,
// and a deleted original fails the nightly rota with a report.
func TestFixityAndReindexCommands(t *testing.T) {
	requireTools(t)
	data := t.TempDir()
	scan := filepath.Join(t.TempDir(), "permit.pdf")
	writePermitScan(t, scan)
	recordID := strings.Fields(sijil(t, 0, "ingest", "--data", data, scan))[0]

	if out := sijil(t, 0, "fixity", "--data", data, "--all"); !strings.Contains(out,
		"of 1 records: all intact") {
		t.Errorf("fixity on a clean archive printed %q", out)
	}
	sijil(t, 2, "fixity", "--data", data)

	if err := os.RemoveAll(filepath.Join(data, "index")); err != nil {
		t.Fatal(err)
	}
	sijil(t, 0, "reindex", "--data", data)
	if hits := searchJSON(t, data, "رخصه البناء"); len(hits) == 0 ||
		hits[0]["record_id"] != recordID {
		t.Errorf("search after reindex: want record %s, got %v", recordID, hits)
	}

	removeOriginal(t, data, recordID)
	out := sijil(t, 1, "fixity", "--data", data, "--rota", "5")
	if !strings.Contains(out, archive.EventFixityMissing+"\t"+recordID) {
		t.Errorf("fixity after deleting the original printed %q", out)
	}

	// A record that failed its check cannot be certified as a true copy.
	facts := filepath.Join(t.TempDir(), "copy.json")
	writeFile(t, facts, `{"record": "`+recordID+`"}`)
	cmd := exec.Command(sijilBin, "issue", "--data", data, "--kind", "copy", "--from", facts,
		"--out", filepath.Join(t.TempDir(), "copy.pdf"), "--public-url", "https://x.example")
	stderr, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(stderr), "fixity") {
		t.Errorf("a certified copy of a record that failed fixity: %v\n%s", err, stderr)
	}
}

// removeOriginal deletes the one original in the data folder's blobs.
func removeOriginal(t *testing.T, data, recordID string) {
	t.Helper()
	originals, err := filepath.Glob(filepath.Join(data, "blobs", "originals", "*", "*", "*"))
	if err != nil || len(originals) != 1 {
		t.Fatalf("originals of %s: %v, %v", recordID, originals, err)
	}
	if err := os.Remove(originals[0]); err != nil {
		t.Fatal(err)
	}
}
