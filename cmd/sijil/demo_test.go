package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

// TestDemoPermitIsFoundByItsFields pins that the demo permit carries the
// fields an archivist would have recorded, so that the search hint a
// clerk reads on a request page finds it, and so does its parcel in
// either digit set, which the OCR text alone did not give.
func TestDemoPermitIsFoundByItsFields(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	a, err := openApp(ctx, dataPlace{dir: filepath.Join(t.TempDir(), "data")}, log, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, log: log}
	if err := e.addDemo(ctx, a, "http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
	recs, err := archive.NewStore(a.db).Records(ctx, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("demo records %+v, %v; want one", recs, err)
	}
	permit := recs[0]
	if permit.Year != 1998 || permit.Parcel != "1234" ||
		!slices.Equal(permit.Names, []string{"أحمد محمود الخطيب"}) {
		t.Errorf("demo permit's fields: %+v", permit)
	}
	ix, err := a.index()
	if err != nil {
		t.Fatal(err)
	}

	for _, q := range []string{
		"owner:الخطيب parcel:1234 year:1995..1999", // the clerk's search hint
		"1234", "١٢٣٤", "type:building_permit ref:4517/1998", "plot:56",
		"neighbourhood:الرمال", `"شارع عمر المختار"`, `"أحمد محمود الخطيب"`,
	} {
		res, err := ix.Query(ctx, index.Request{Query: q, Limit: 10})
		if err != nil {
			t.Errorf("Query(%q): %v", q, err)
			continue
		}
		if len(res.Hits) == 0 || res.Hits[0].RecordID != permit.ID {
			t.Errorf("Query(%q) found %+v, want the demo permit %s", q, res.Hits, permit.ID)
		}
	}
}
