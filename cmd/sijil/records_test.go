package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// nationalID is valid; it must never come out of search or a log line.
const nationalID = "123456782"

// TestArchivistRecordsThroughTheBinary imports a manifest whose fields
// carry Arabic-Indic digits, finds the records by owner and parcel in
// either digit set, decides the duplicates the import flagged, corrects a
// parcel, and checks that search, the history and a rebuilt index agree.
func TestArchivistRecordsThroughTheBinary(t *testing.T) {
	requireTools(t)
	data, dir := t.TempDir(), t.TempDir()
	writePNG(t, filepath.Join(dir, "permit.png"), "Building permit 101")
	writePNG(t, filepath.Join(dir, "deed.png"), "Deed of sale 55")
	if err := os.MkdirAll(filepath.Join(dir, "box2"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(dir, "permit.png"), filepath.Join(dir, "box2", "permit.png"))
	manifest := filepath.Join(dir, "manifest.csv")
	writeFile(t, manifest, "file,record_type,reference,date,names,national_ids,parcel,plot,"+
		"neighbourhood,street,source\n"+
		"permit.png,building_permit,١٠١/١٩٩٨,١٩٩٨-٠٥-٠٢,أحمد الخطيب,"+nationalID+
		",١٢٣,٤٥,الرمال,شارع عمر المختار,R1/B2\n"+
		"deed.png,deed,101/1998,2001-01-02,سعاد الخطيب,,900,,الرمال,,R1/B3\n"+
		"box2/permit.png,building_permit,101/1998,,,,,,,,R9\n")

	var logs strings.Builder
	// One worker: the two copies of the permit must come in line by line.
	logs.WriteString(sijilOut(t, 0, "ingest", "--data", data, "--manifest", manifest,
		"--workers", "1"))
	out := sijil(t, 0, "imports", "--data", data)
	if !strings.Contains(out, "3 lines below the header: 3 archived, 0 refused, 0 failed, 0 pending") {
		t.Errorf("imports:\n%s", out)
	}
	lines := sijil(t, 0, "imports", "--data", data, "--job", strings.Fields(out)[0], "--all")
	if !strings.Contains(lines, "line 4\tbox2/permit.png\tdone\trec_") {
		t.Errorf("imports --job --all:\n%s", lines)
	}
	permit := onlyHit(t, data, "owner:احمد") // typed without hamza
	for _, q := range []string{"parcel:١٢٣", "parcel:123", "ref:101/1998 year:1998",
		`neighbourhood:الرمال type:building_permit`} {
		if got := onlyHit(t, data, q); got != permit {
			t.Errorf("%s found %s, want %s", q, got, permit)
		}
	}
	if hits := searchJSON(t, data, nationalID); len(hits) != 0 {
		t.Errorf("a national ID is searchable: %v", hits)
	}

	flags := flagIDs(t, data, "same_reference", "same_bytes")
	sijil(t, 0, "duplicates", "decide", "--data", data, flags[0], "--as", "not_duplicate",
		"--note", "a permit and a deed", "--by", "huda")
	sijil(t, 1, "duplicates", "decide", "--data", data, flags[1], "--as", "merged",
		"--note", "n", "--by", "huda")
	if out := sijil(t, 0, "duplicates", "--data", data); !strings.Contains(out, "1 flags") {
		t.Errorf("open flags after one decision:\n%s", out)
	}
	if out := sijil(t, 0, "duplicates", "--data", data, "--all"); !strings.Contains(out,
		"not_duplicate\tsame_reference") || !strings.Contains(out, "decided by huda") {
		t.Errorf("all flags:\n%s", out)
	}

	logs.WriteString(correctParcel(t, data, permit))
	logs.WriteString(restrictedUpload(t, data, dir))
	if strings.Contains(logs.String(), nationalID) {
		t.Errorf("a national ID was logged:\n%s", logs.String())
	}
}

// correctParcel corrects the permit's parcel and checks that search sees
// the new value at once and after a rebuild, and that the history has it.
func correctParcel(t *testing.T, data, permit string) string {
	t.Helper()
	stderr := sijilOut(t, 0, "record", "edit", "--data", data, permit, "--field",
		"parcel=٤٥٦", "--by", "huda", "--reason", "register 4 says 456")
	if got := onlyHit(t, data, "parcel:456"); got != permit {
		t.Errorf("parcel:456 after the edit found %s", got)
	}
	if hits := searchJSON(t, data, "parcel:123"); len(hits) != 0 {
		t.Errorf("parcel:123 still finds %v", hits)
	}
	out := sijil(t, 0, "record", "history", "--data", data, permit)
	if !strings.Contains(out, "huda\tparcel\t\"123\" → \"456\"\t(register 4 says 456)") ||
		!strings.Contains(out, "record.edited") || !strings.Contains(out, "record.ingested") {
		t.Errorf("history:\n%s", out)
	}
	sijil(t, 1, "record", "edit", "--data", data, permit, "--field", "date=1998-13-01",
		"--by", "huda", "--reason", "r")
	sijil(t, 2, "record", "edit", "--data", data, permit, "--by", "huda", "--reason", "r")

	show := sijil(t, 0, "record", "show", "--data", data, permit)
	if !strings.Contains(show, "parcel        456") || !strings.Contains(show, "•••••••82") ||
		strings.Contains(show, nationalID) {
		t.Errorf("record show:\n%s", show)
	}

	sijil(t, 0, "reindex", "--data", data)
	for _, q := range []string{"parcel:456", "owner:احمد", "ref:101/1998 type:building_permit"} {
		if got := onlyHit(t, data, q); got != permit {
			t.Errorf("%s after reindex found %s, want %s", q, got, permit)
		}
	}
	return stderr
}

// restrictedUpload ingests one file described on the command line as
// restricted, and checks that only a named person sees it, each view an
// event.
func restrictedUpload(t *testing.T, data, dir string) string {
	t.Helper()
	scan := filepath.Join(dir, "licence.png")
	writePNG(t, scan, "Craft licence 12")
	out := sijilOut(t, 0, "ingest", "--data", data, "--by", "huda", "--type", "craft_licence",
		"--field", "plot=٣٣", "--field", "names=نزار القباني", "--field", "national_ids="+
			nationalID, "--field", "restricted=yes", scan)
	licence := onlyHit(t, data, "owner:نزار plot:33")
	if !strings.Contains(out, licence) {
		t.Errorf("ingest printed no record id %s:\n%s", licence, out)
	}
	sijil(t, 1, "ingest", "--data", data, "--field", "date=1998-02-30", scan)

	sijil(t, 1, "record", "show", "--data", data, "--by", "", licence)
	if show := sijil(t, 0, "record", "show", "--data", data, "--by", "sami",
		licence); !strings.Contains(show, "restricted    yes") {
		t.Errorf("record show:\n%s", show)
	}
	history := sijil(t, 0, "record", "history", "--data", data, licence)
	if !strings.Contains(history, "huda\trecord.ingested") ||
		!strings.Contains(history, "sami\trecord.restricted_viewed") {
		t.Errorf("history of a restricted record:\n%s", history)
	}
	return out
}

// onlyHit searches and returns the one record found.
func onlyHit(t *testing.T, data, query string) string {
	t.Helper()
	hits := searchJSON(t, data, query)
	var ids []string
	for _, h := range hits {
		if id, _ := h["record_id"].(string); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("search %q found records %v, want one", query, ids)
	}
	return ids[0]
}

// flagIDs lists the open duplicate flags and returns their ids, checking
// that their reasons are the ones wanted, in order.
func flagIDs(t *testing.T, data string, reasons ...string) []string {
	t.Helper()
	out := sijil(t, 0, "duplicates", "--data", data)
	var ids, got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) > 3 && regexp.MustCompile(`^dup_[0-9a-f]{16}$`).MatchString(f[0]) {
			ids, got = append(ids, f[0]), append(got, f[2])
		}
	}
	if !slices.Equal(got, reasons) {
		t.Fatalf("flags %q, want %q:\n%s", got, reasons, out)
	}
	return ids
}

// sijilOut runs the binary like sijil and returns stdout and stderr
// together, for checks of what it logs.
func sijilOut(t *testing.T, wantCode int, args ...string) string {
	t.Helper()
	cmd := exec.Command(sijilBin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("sijil %v: %v", args, err)
	}
	if code != wantCode {
		t.Fatalf("sijil %v: exit %d, want %d\n%s", args, code, wantCode, out.String())
	}
	return out.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIngestFlagsAreCheckedFirst: a mistyped record type or language is
// reported as such before the data folder is opened, which a running
// server would hold, so that the archivist is not sent to stop it.
func TestIngestFlagsAreCheckedFirst(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, tt := range []struct {
		flag, value string
		code        int // a usage error, or a missing component
		says        string
	}{
		{"--type", "permit", 2, `--type "permit" is not one of building_permit`},
		{"--lang", "xyz", 1, `no "xyz" language data`},
	} {
		out := sijilOut(t, tt.code, "ingest", "--data", data, tt.flag, tt.value, "scan.tif")
		if !strings.Contains(out, tt.says) {
			t.Errorf("ingest %s %s said %q, want %q", tt.flag, tt.value, out, tt.says)
		}
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused ingest made the data folder (%v)", err)
	}
}
