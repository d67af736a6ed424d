package archive_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// validID is a national ID with a valid check digit; in tests it must
// never show up in an event.
const validID = "123456782"

// ingestPage ingests a one-page scan drawn with the lines, with meta.
func (f *fixture) ingestPage(t *testing.T, meta archive.Metadata, lines ...string) archive.Record {
	t.Helper()
	data := encodePNG(t, textPage(t, append(lines, pageLines...)))
	rec, existed, err := f.in.Ingest(context.Background(), bytes.NewReader(data), meta)
	if err != nil || existed {
		t.Fatalf("Ingest(%v) = %v, existed %v", lines, err, existed)
	}
	return rec
}

// lastIndexed returns what the index was last given for the record.
func (f *fixture) lastIndexed(t *testing.T, recordID string) archive.PageText {
	t.Helper()
	f.index.mu.Lock()
	defer f.index.mu.Unlock()
	for i := len(f.index.pages) - 1; i >= 0; i-- {
		if f.index.pages[i].RecordID == recordID {
			return f.index.pages[i]
		}
	}
	t.Fatalf("record %s was never indexed", recordID)
	return archive.PageText{}
}

// eventKinds lists the kinds of the record's events, oldest first, and
// fails the test if any event's detail holds the test's national ID.
func (f *fixture) eventKinds(t *testing.T, recordID string) []string {
	t.Helper()
	events, err := f.store.Events(context.Background(), recordID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		if strings.Contains(e.Detail, validID) {
			t.Errorf("event %s holds a national ID: %q", e.Kind, e.Detail)
		}
		kinds = append(kinds, e.Kind+" "+e.Actor)
	}
	return kinds
}

func TestIngestKeepsStructuredFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	// Files are sometimes named after the citizen's ID.
	rec := f.ingestPage(t, archive.Metadata{Filename: validID + " permit.png",
		RecordType: "building_permit", Reference: " ١٠١/١٩٩٨ ", Date: "١٩٩٨-٠٥-٠٢",
		Names: []string{" أحمد  الخطيب ", "", "سعاد الخطيب"}, NationalIDs: []string{"١٢٣٤٥٦٧٨٢"},
		Parcel: "١٢٣", Plot: "۴۵", Neighbourhood: "الرمال", Street: "Omar Al-Mukhtar St",
		Source: "R1/B2", Origin: "/scans/" + validID + "/p.png", Actor: "huda"})

	got, err := f.store.RecordByID(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := rec
	want.Reference, want.Date, want.Year = "101/1998", "1998-05-02", 1998
	want.Names = []string{"أحمد الخطيب", "سعاد الخطيب"}
	want.NationalIDs, want.Parcel, want.Plot = []string{validID}, "123", "45"
	want.Neighbourhood, want.Street = "الرمال", "Omar Al-Mukhtar St"
	want.Source, want.Origin = "R1/B2", "/scans/"+validID+"/p.png"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored record:\n got %+v\nwant %+v", got, want)
	}

	p := f.lastIndexed(t, rec.ID)
	if p.Parcel != "123" || p.Plot != "45" || p.Year != 1998 ||
		!slices.Equal(p.Names, want.Names) || p.Street != want.Street {
		t.Errorf("indexed page lacks the record's fields: %+v", p)
	}
	if kinds := f.eventKinds(t, rec.ID); !slices.Equal(kinds, []string{
		"record.ingested huda"}) {
		t.Errorf("events %q, want one ingest by huda", kinds)
	}
}

func TestIngestRefusesBadFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	tests := []struct {
		name string
		meta archive.Metadata
		key  string
	}{
		{"date", archive.Metadata{Date: "1998-13-01"}, "archive.date_impossible"},
		{"date too old", archive.Metadata{Date: "1066"}, "archive.date_too_old"},
		{"date format", archive.Metadata{Date: "2/5/1998"}, "archive.date"},
		{"record type", archive.Metadata{RecordType: "letter"}, "archive.record_type"},
		{"national id", archive.Metadata{NationalIDs: []string{"123456789"}},
			"archive.national_id"},
		{"name", archive.Metadata{Names: []string{"a;b"}}, "archive.name"},
		{"too long", archive.Metadata{Street: strings.Repeat("ش", 501)}, "archive.too_long"},
		{"NUL in a title", archive.Metadata{Title: "ab\x00cd"}, "archive.control_chars"},
		{"bidi override in a name", archive.Metadata{Names: []string{"\u202egnp.tif"}},
			"archive.control_chars"},
		{"file name not UTF-8", archive.Metadata{Filename: "a\xffb.png"}, "archive.not_utf8"},
	}
	data := encodePNG(t, textPage(t, pageLines))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.in.Ingest(context.Background(), bytes.NewReader(data), tt.meta)
			se := wantKind(t, err, sijil.Invalid, tt.key)
			if strings.Contains(se.Message, "123456789") {
				t.Errorf("the refusal quotes the national ID: %q", se.Message)
			}
		})
	}
	if r, p := f.countRows(t); r != 0 || p != 0 {
		t.Errorf("refused ingests left %d records and %d pages", r, p)
	}
}

func TestDuplicatesAreFlaggedNotDropped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	a := f.ingestPage(t, archive.Metadata{RecordType: "building_permit", Reference: "7/1998",
		Parcel: "12", Origin: "/box1/a.png"}, "Permit A")
	b := f.ingestPage(t, archive.Metadata{RecordType: "deed", Reference: "٧/١٩٩٨",
		Parcel: "12", Origin: "/box1/b.png"}, "Deed B")
	c := f.ingestPage(t, archive.Metadata{RecordType: "building_permit", Reference: "8/1998",
		Parcel: "١٢", Origin: "/box1/c.png"}, "Permit C")

	// A resumed import reads a's file again from the same place: nothing
	// new. The same bytes from two other places raise one flag.
	dataA := encodePNG(t, textPage(t, append([]string{"Permit A"}, pageLines...)))
	for _, origin := range []string{"/box1/a.png", "/box2/copy.png", "/box3/copy.png"} {
		rec, existed, err := f.in.Ingest(ctx, bytes.NewReader(dataA),
			archive.Metadata{Origin: origin, Filename: "copy.png"})
		if err != nil || !existed || rec.ID != a.ID {
			t.Fatalf("re-ingest from %s = %s, %v, %v", origin, rec.ID, existed, err)
		}
	}

	flags, err := f.store.Duplicates(ctx, archive.DuplicateFilter{Status: archive.DupOpen})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"same_reference " + a.ID + " " + b.ID,
		"same_type_and_parcel " + a.ID + " " + c.ID,
		"same_bytes " + a.ID + " " + a.ID,
	}
	if got := flagPairs(flags); !slices.Equal(got, want) {
		t.Errorf("flags:\n got %q\nwant %q", got, want)
	}
	if r, _ := f.countRows(t); r != 3 {
		t.Errorf("%d records, want 3: duplicates are kept", r)
	}
	decideFlags(t, f, flags, a.ID)

	// Each flag and the decision is an event whose detail a page tells in
	// its own language, the record type, decision and reason as codes to
	// translate rather than words of English.
	var keys []string
	for _, rec := range []archive.Record{a, b, c} {
		events, err := f.store.Events(ctx, rec.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if !strings.HasPrefix(e.Kind, "duplicate.") {
				continue
			}
			phrases, ok := e.DetailPhrases()
			if !ok {
				t.Errorf("the %s event %q reads as no phrases", e.Kind, e.Detail)
			}
			for _, p := range phrases {
				keys = append(keys, p.Key)
				for _, arg := range p.Args {
					if code, ok := arg.(archive.Phrase); ok {
						keys = append(keys, code.Key)
					}
				}
			}
		}
	}
	slices.Sort(keys)
	want = []string{"archive.detail_as", "archive.detail_decided",
		"archive.detail_flagged", "archive.detail_flagged_with",
		"archive.detail_flagged_with", "archive.detail_from",
		"archive.dup_detail_copy", "archive.dup_detail_parcel",
		"archive.dup_detail_reference", "archive.dup_reason_same_reference",
		"archive.dup_status_not_duplicate", "archive.type_building_permit"}
	if !slices.Equal(keys, want) {
		t.Errorf("phrases of the duplicate events:\n got %q\nwant %q", keys, want)
	}
}

// TestOnePairIsDecidedOnce: two records alike in reference and in type
// and parcel raise a flag for each, and the archivist's decision on one
// answers both, each with its event.
func TestOnePairIsDecidedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	meta := archive.Metadata{RecordType: "building_permit", Reference: "9/1998", Parcel: "40"}
	meta.Origin = "/box1/a.png"
	a := f.ingestPage(t, meta, "Permit nine")
	meta.Origin = "/box2/b.png"
	b := f.ingestPage(t, meta, "Permit nine again")
	flags, err := f.store.Duplicates(ctx, archive.DuplicateFilter{Status: archive.DupOpen})
	if err != nil || len(flags) != 2 {
		t.Fatalf("open flags %q (%v), want the reference's and the parcel's",
			flagPairs(flags), err)
	}

	_, err = f.store.Decide(ctx, flags[0].ID, archive.Decision{Status: archive.DupKept,
		By: "huda", Note: "the same permit scanned twice"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := f.store.Duplicates(ctx, archive.DuplicateFilter{RecordID: a.ID})
	if err != nil || len(all) != 2 {
		t.Fatalf("flags of %s: %+v, %v", a.ID, all, err)
	}
	for _, fl := range all {
		if fl.Status != archive.DupKept || fl.DecidedBy != "huda" {
			t.Errorf("flag %s (%s) is %s by %q, want decided with the other",
				fl.ID, fl.Reason, fl.Status, fl.DecidedBy)
		}
	}
	events, err := f.store.Events(ctx, b.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	decided := 0
	for _, e := range events {
		if e.Kind == archive.EventDuplicateDecided {
			decided++
		}
	}
	if decided != 2 {
		t.Errorf("%d decision events, want one for each flag", decided)
	}
}

// decideFlags decides the flags and checks that a decision is kept and
// refused without a valid status, a name and a note.
func decideFlags(t *testing.T, f *fixture, flags []archive.DuplicateFlag, recordID string) {
	t.Helper()
	ctx := context.Background()
	bad := []struct {
		d   archive.Decision
		key string
	}{
		{archive.Decision{Status: "open", By: "huda", Note: "n"}, "archive.decision"},
		{archive.Decision{Status: "merge", By: "huda", Note: "n"}, "archive.decision"},
		{archive.Decision{Status: archive.DupKept, Note: "n"}, "archive.no_editor"},
		{archive.Decision{Status: archive.DupKept, By: "huda"}, "archive.no_reason"},
	}
	for _, tt := range bad {
		_, err := f.store.Decide(ctx, flags[0].ID, tt.d)
		wantKind(t, err, sijil.Invalid, tt.key)
	}
	_, err := f.store.Decide(ctx, "dup_0000000000000000",
		archive.Decision{Status: archive.DupKept, By: "huda", Note: "n"})
	wantKind(t, err, sijil.NotFound, "archive.duplicate_not_found")

	got, err := f.store.Decide(ctx, flags[0].ID, archive.Decision{
		Status: archive.DupNotDuplicate, By: "huda", Note: "two permits, two buildings"})
	if err != nil || got.Status != archive.DupNotDuplicate || got.DecidedBy != "huda" ||
		got.DecidedAt.IsZero() {
		t.Fatalf("Decide = %+v, %v", got, err)
	}
	open, err := f.store.Duplicates(ctx, archive.DuplicateFilter{Status: archive.DupOpen})
	if err != nil || len(open) != len(flags)-1 {
		t.Errorf("%d open flags after a decision, want %d (%v)", len(open), len(flags)-1, err)
	}
	all, err := f.store.Duplicates(ctx, archive.DuplicateFilter{RecordID: recordID})
	if err != nil || len(all) != len(flags) || all[0].Note != "two permits, two buildings" {
		t.Errorf("flags of %s: %+v, %v", recordID, all, err)
	}
}

func flagPairs(flags []archive.DuplicateFlag) []string {
	var out []string
	for _, d := range flags {
		out = append(out, d.Reason+" "+d.RecordID+" "+d.OtherID)
	}
	return out
}

func TestUpdateKeepsHistoryAndReindexes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	other := f.ingestPage(t, archive.Metadata{RecordType: "deed", Parcel: "77"}, "Deed")
	rec := f.ingestPage(t, archive.Metadata{RecordType: "deed", Parcel: "70",
		Title: "old title", Names: []string{"خالد"}}, "Deed of sale")
	s := f.store.WithIndexer(f.index)

	var u archive.Update
	mustDo(t, u.Set("parcel", "٧٧"))
	mustDo(t, u.Set("national_ids", validID))
	mustDo(t, u.Set("restricted", "yes"))
	got, err := s.Update(ctx, rec.ID, u, archive.Change{By: "huda", Reason: "register 4"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Parcel != "77" || got.Title != "old title" || !slices.Equal(got.Names,
		[]string{"خالد"}) || !got.Restricted || !slices.Equal(got.NationalIDs,
		[]string{validID}) {
		t.Errorf("after Update: %+v", got)
	}
	if p := f.lastIndexed(t, rec.ID); p.Parcel != "77" {
		t.Errorf("index still has parcel %q", p.Parcel)
	}

	history, err := s.History(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range history {
		lines = append(lines, fmt.Sprintf("%d %s %q→%q %s %s", e.Page, e.Field, e.Old, e.New,
			e.By, e.Reason))
	}
	want := []string{
		`0 national_ids ""→"123456782" huda register 4`,
		`0 parcel "70"→"77" huda register 4`,
		`0 restricted "false"→"true" huda register 4`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("history:\n got %q\nwant %q", lines, want)
	}
	// The edit and the flag it raised happen at one instant, in either order.
	kinds := f.eventKinds(t, rec.ID)
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"duplicate.flagged huda", "record.edited huda",
		"record.ingested "}) {
		t.Errorf("events %q", kinds)
	}
	flags, err := s.Duplicates(ctx, archive.DuplicateFilter{RecordID: other.ID})
	if err != nil || len(flags) != 1 || flags[0].Reason != archive.DupSameTypeAndParcel {
		t.Errorf("the edit raised flags %+v, %v; want one same type and parcel", flags, err)
	}

	// The same values again change nothing and record nothing.
	_, err = s.Update(ctx, rec.ID, u, archive.Change{By: "huda", Reason: "again"})
	mustDo(t, err)
	if again, _ := s.History(ctx, rec.ID); len(again) != len(history) {
		t.Errorf("a no-op update wrote %d history rows", len(again)-len(history))
	}
}

// TestRecordDateForms pins that an old record dated by its year, or its
// year and month, is accepted as written and filed under its year, from
// an archivist's edit as from an upload.
func TestRecordDateForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	rec := f.ingestPage(t, archive.Metadata{RecordType: "deed", Date: "١٩٨٥"}, "Deed")
	if rec.Date != "1985" || rec.Year != 1985 {
		t.Errorf("uploaded with date ١٩٨٥: date %q, year %d", rec.Date, rec.Year)
	}
	s := f.store.WithIndexer(f.index)
	tests := []struct {
		typed, date string
		year        int
	}{
		{"1985", "1985", 1985},
		{"١٩٨٥-٠٣", "1985-03", 1985},
		{"۱۹۸۶-۰۳-۱۲", "1986-03-12", 1986},
		{"", "", 0},
	}
	for _, tt := range tests {
		var u archive.Update
		mustDo(t, u.Set("date", tt.typed))
		got, err := s.Update(ctx, rec.ID, u, archive.Change{By: "huda", Reason: "register"})
		if err != nil {
			t.Errorf("date %q: %v", tt.typed, err)
			continue
		}
		if got.Date != tt.date || got.Year != tt.year {
			t.Errorf("date %q: stored %q, year %d; want %q, %d", tt.typed, got.Date,
				got.Year, tt.date, tt.year)
		}
		if p := f.lastIndexed(t, rec.ID); p.Year != tt.year {
			t.Errorf("date %q: indexed with year %d, want %d", tt.typed, p.Year, tt.year)
		}
	}
}

func TestUpdateRefusesBadValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	rec := f.ingestPage(t, archive.Metadata{RecordType: "deed", Parcel: "70"}, "Deed")
	s := f.store.WithIndexer(f.index)
	ok := archive.Change{By: "huda", Reason: "register 4"}
	tests := []struct {
		field, value string
		change       archive.Change
		kind         sijil.Kind
		key          string
	}{
		{"date", "1998-02-30", ok, sijil.Invalid, "archive.date_impossible"},
		{"date", "1998-13", ok, sijil.Invalid, "archive.date_impossible"},
		{"date", "1998-4", ok, sijil.Invalid, "archive.date"},
		{"date", "98", ok, sijil.Invalid, "archive.date"},
		{"date", "2031", ok, sijil.Invalid, "archive.date_future"},
		{"date", strconv.Itoa(time.Now().Year()+1) + "-01", ok, sijil.Invalid,
			"archive.date_future"},
		{"record_type", "letter", ok, sijil.Invalid, "archive.record_type"},
		{"national_ids", "123456782;123456789", ok, sijil.Invalid, "archive.national_id"},
		{"parcel", "71", archive.Change{Reason: "r"}, sijil.Invalid, "archive.no_editor"},
		{"parcel", "71", archive.Change{By: "huda", Reason: " "}, sijil.Invalid,
			"archive.no_reason"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			var u archive.Update
			mustDo(t, u.Set(tt.field, tt.value))
			_, err := s.Update(ctx, rec.ID, u, tt.change)
			wantKind(t, err, tt.kind, tt.key)
		})
	}

	var u archive.Update
	wantKind(t, u.Set("owner", "x"), sijil.Invalid, "archive.unknown_field")
	wantKind(t, u.Set("restricted", "maybe"), sijil.Invalid, "archive.restricted")
	mustDo(t, u.Set("parcel", "71"))
	_, err := s.Update(ctx, "rec_0000000000000000", u, ok)
	wantKind(t, err, sijil.NotFound, "archive.record_not_found")
	if _, err := f.store.Update(ctx, rec.ID, u, ok); err == nil {
		t.Error("a Store without an Indexer made a correction search would not see")
	}

	got, err := f.store.RecordByID(ctx, rec.ID)
	if err != nil || got.Parcel != "70" {
		t.Errorf("refused updates changed the record: %+v, %v", got, err)
	}
	if h, err := f.store.History(ctx, rec.ID); err != nil || len(h) != 0 {
		t.Errorf("refused updates left history %+v, %v", h, err)
	}
}

func TestEditPageText(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	rec := f.ingestPage(t, archive.Metadata{}, "Permit")
	s := f.store.WithIndexer(f.index)
	c := archive.Change{By: "huda", Reason: "OCR misread the parcel"}

	page, err := s.EditPageText(ctx, rec.ID, 1, "رخصة بناء على القطعة ١٢٠٧", c)
	if err != nil || page.Text != "رخصة بناء على القطعة ١٢٠٧" {
		t.Fatalf("EditPageText = %+v, %v", page, err)
	}
	if p := f.lastIndexed(t, rec.ID); p.Text != page.Text {
		t.Errorf("index has %q", p.Text)
	}
	h, err := s.History(ctx, rec.ID)
	if err != nil || len(h) != 1 || h[0].Page != 1 || h[0].Field != "text" ||
		!strings.Contains(h[0].Old, "ARCHIVE") || h[0].New != page.Text {
		t.Errorf("history %+v, %v", h, err)
	}

	_, err = s.EditPageText(ctx, rec.ID, 2, "x", c)
	wantKind(t, err, sijil.NotFound, "archive.page_not_found")
	_, err = s.EditPageText(ctx, rec.ID, 1, "x", archive.Change{By: "huda"})
	wantKind(t, err, sijil.Invalid, "archive.no_reason")
	_, err = s.EditPageText(ctx, rec.ID, 1, "ab\x00cd", c)
	wantKind(t, err, sijil.Invalid, "archive.page_text_not_text")
	_, err = s.EditPageText(ctx, rec.ID, 1, "\xff\xfe", c)
	wantKind(t, err, sijil.Invalid, "archive.page_text_not_text")
}

func TestRestrictedViewsAndExportsAreEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	open := f.ingestPage(t, archive.Metadata{}, "Open")
	closed := f.ingestPage(t, archive.Metadata{Restricted: true}, "Closed")

	if _, _, err := f.store.ViewRecord(ctx, open.ID, ""); err != nil {
		t.Errorf("viewing an open record: %v", err)
	}
	_, _, err := f.store.ViewRecord(ctx, closed.ID, "")
	wantKind(t, err, sijil.Forbidden, "archive.anonymous_access")
	rec, pages, err := f.store.ViewRecord(ctx, closed.ID, "huda")
	if err != nil || rec.ID != closed.ID || len(pages) != 1 {
		t.Fatalf("ViewRecord = %s, %d pages, %v", rec.ID, len(pages), err)
	}
	for _, id := range []string{open.ID, closed.ID} {
		if _, err := f.store.ExportRecord(ctx, id, "sami", "certified copy"); err != nil {
			t.Fatal(err)
		}
	}

	if k := f.eventKinds(t, open.ID); !slices.Equal(k, []string{"record.ingested ",
		"record.exported sami"}) {
		t.Errorf("open record's events %q", k)
	}
	if k := f.eventKinds(t, closed.ID); !slices.Equal(k, []string{"record.ingested ",
		"record.restricted_viewed huda", "record.exported sami"}) {
		t.Errorf("restricted record's events %q", k)
	}
}

// TestConcurrentSameReferenceFlaggedOnce ingests files with one reference
// number at once: however their transactions interleave, each pair gets
// exactly one flag.
func TestConcurrentSameReferenceFlaggedOnce(t *testing.T) {
	t.Parallel()
	f := bulkFixture(t)
	const n = 3
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		data := encodePNG(t, textPage(t, append([]string{fmt.Sprintf("Copy %d", i)},
			pageLines...)))
		wg.Go(func() {
			_, _, errs[i] = f.in.Ingest(context.Background(), bytes.NewReader(data),
				archive.Metadata{Reference: "9/1999"})
		})
	}
	wg.Wait()
	for _, err := range errs {
		mustDo(t, err)
	}

	flags, err := f.store.Duplicates(context.Background(), archive.DuplicateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) != n*(n-1)/2 {
		t.Errorf("%d flags for %d records with one reference, want %d:\n%q", len(flags), n,
			n*(n-1)/2, flagPairs(flags))
	}
}

// TestConcurrentUpdatesChainTheirHistory corrects one field from several
// places at once: each history row's old value is the value it replaced,
// so the rows chain from the first value to the last.
func TestConcurrentUpdatesChainTheirHistory(t *testing.T) {
	t.Parallel()
	f := bulkFixture(t)
	ctx := context.Background()
	rec := f.ingestPage(t, archive.Metadata{Parcel: "70"}, "Deed")
	s := f.store.WithIndexer(f.index)

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			var u archive.Update
			mustDo(t, u.Set("parcel", fmt.Sprint(71+i)))
			_, err := s.Update(ctx, rec.ID, u, archive.Change{By: "huda", Reason: "r"})
			mustDo(t, err)
		})
	}
	wg.Wait()

	history, err := s.History(ctx, rec.ID)
	if err != nil || len(history) != 4 {
		t.Fatalf("history %+v, %v; want 4 rows", history, err)
	}
	seen := map[string]bool{}
	for i, e := range history {
		if i > 0 && e.Old != history[i-1].New || i == 0 && e.Old != "70" || seen[e.Old] {
			t.Errorf("history does not chain:\n%+v", history)
			break
		}
		seen[e.Old] = true
	}
	got, err := s.RecordByID(ctx, rec.ID)
	if err != nil || got.Parcel != history[3].New {
		t.Errorf("parcel %q, history ends at %q (%v)", got.Parcel, history[3].New, err)
	}
}

// TestCorrectionClosesMootFlags pins the fix of a shortcoming: a flag
// raised by a shared reference stayed open after a correction gave one of
// the two records another reference, asking the archivist about two
// records that no longer shared anything.
func TestCorrectionClosesMootFlags(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	a := f.ingestPage(t, archive.Metadata{RecordType: "deed", Reference: "9/2001"}, "Deed A")
	b := f.ingestPage(t, archive.Metadata{RecordType: "deed", Reference: "9/2001"}, "Deed B")
	statuses := func() []string {
		t.Helper()
		flags, err := f.store.Duplicates(ctx, archive.DuplicateFilter{RecordID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range flags {
			out = append(out, d.Reason+" "+d.Status)
		}
		return out
	}
	if got := statuses(); !slices.Equal(got, []string{"same_reference open"}) {
		t.Fatalf("flags after ingest: %q", got)
	}

	correct := func(ref string) {
		t.Helper()
		var u archive.Update
		mustDo(t, u.Set("reference", ref))
		_, err := f.store.WithIndexer(f.index).Update(ctx, b.ID, u,
			archive.Change{By: "huda", Reason: "register 9"})
		mustDo(t, err)
	}
	correct("19/2001")
	if got := statuses(); !slices.Equal(got, []string{"same_reference moot"}) {
		t.Errorf("flags after the correction took the shared reference away: %q", got)
	}
	open, err := f.store.Duplicates(ctx, archive.DuplicateFilter{Status: archive.DupOpen})
	if err != nil || len(open) != 0 {
		t.Errorf("open flags after the correction: %+v, %v", open, err)
	}

	// A second correction brings the shared reference back: asked again.
	correct("٩/٢٠٠١")
	if got := statuses(); !slices.Equal(got, []string{"same_reference open"}) {
		t.Errorf("flags after the reference came back: %q", got)
	}

	// Moot is the archive's verdict, not one an archivist gives.
	flags, _ := f.store.Duplicates(ctx, archive.DuplicateFilter{RecordID: a.ID})
	_, err = f.store.Decide(ctx, flags[0].ID, archive.Decision{Status: archive.DupMoot,
		By: "huda", Note: "gone"})
	if sijil.KindOf(err) != sijil.Invalid {
		t.Errorf("deciding a flag as moot: %v, want Invalid", err)
	}
}

// TestChangeWithoutItsAuditEntryIsNotSaved: an archivist's change and its
// entry in the admins' trail commit together, so a trail that cannot take
// the entry leaves the archive as it was, and a trail that takes it is
// told what changed.
func TestChangeWithoutItsAuditEntryIsNotSaved(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "eng")
	ctx := context.Background()
	s := f.store.WithIndexer(f.index)
	full := errors.New("the audit trail is full")
	var wrote []string
	failing := func(context.Context, *sql.Tx, string) error { return full }
	writing := func(_ context.Context, _ *sql.Tx, id string) error {
		wrote = append(wrote, id)
		return nil
	}

	page := encodePNG(t, textPage(t, append([]string{"Permit 4517"}, pageLines...)))
	_, _, err := f.in.Ingest(ctx, bytes.NewReader(page), archive.Metadata{Audit: failing})
	if !errors.Is(err, full) {
		t.Fatalf("ingest with a failing audit: %v", err)
	}
	if n, _ := f.countRows(t); n != 0 {
		t.Fatalf("%d records after an ingest whose audit entry failed", n)
	}
	rec, existed, err := f.in.Ingest(ctx, bytes.NewReader(page),
		archive.Metadata{Reference: "4517", Audit: writing})
	if err != nil || existed {
		t.Fatalf("ingest again = %v, %v", existed, err)
	}

	var u archive.Update
	mustDo(t, u.Set("parcel", "71"))
	_, err = s.Update(ctx, rec.ID, u, archive.Change{By: "huda", Reason: "r", Audit: failing})
	if !errors.Is(err, full) {
		t.Errorf("correction with a failing audit: %v", err)
	}
	_, err = s.EditPageText(ctx, rec.ID, 1, "نص",
		archive.Change{By: "huda", Reason: "r", Audit: failing})
	if !errors.Is(err, full) {
		t.Errorf("text correction with a failing audit: %v", err)
	}
	if h, err := s.History(ctx, rec.ID); err != nil || len(h) != 0 {
		t.Errorf("history after failed audits: %+v, %v", h, err)
	}
	got, err := f.store.RecordByID(ctx, rec.ID)
	if err != nil || got.Parcel != "" {
		t.Errorf("record after a failed audit: parcel %q, %v", got.Parcel, err)
	}

	// A second copy under the same reference raises a flag to decide.
	other := f.ingestPage(t, archive.Metadata{Reference: "4517"}, "Permit again")
	flags, err := f.store.Duplicates(ctx, archive.DuplicateFilter{Status: archive.DupOpen})
	if err != nil || len(flags) != 1 {
		t.Fatalf("flags %+v, %v", flags, err)
	}
	d := archive.Decision{Status: archive.DupKept, By: "huda", Note: "n", Audit: failing}
	if _, err := f.store.Decide(ctx, flags[0].ID, d); !errors.Is(err, full) {
		t.Errorf("decision with a failing audit: %v", err)
	}
	open, err := f.store.Duplicates(ctx, archive.DuplicateFilter{Status: archive.DupOpen})
	if err != nil || len(open) != 1 {
		t.Errorf("the flag after a decision whose audit failed: %+v, %v", open, err)
	}

	_, err = s.Update(ctx, other.ID, u, archive.Change{By: "huda", Reason: "r",
		Audit: writing})
	mustDo(t, err)
	_, err = s.Update(ctx, other.ID, u, archive.Change{By: "huda", Reason: "r again",
		Audit: writing}) // the same value: nothing changes, nothing to audit
	mustDo(t, err)
	d.Audit = writing
	_, err = f.store.Decide(ctx, flags[0].ID, d)
	mustDo(t, err)
	if want := []string{rec.ID, other.ID, flags[0].ID}; !slices.Equal(wrote, want) {
		t.Errorf("audit entries written for %q, want %q", wrote, want)
	}
}

// TestNamesSplitOnEitherSemicolon: an Arabic keyboard types ؛ where an
// English one types ;, and both part two owners' names.
func TestNamesSplitOnEitherSemicolon(t *testing.T) {
	for _, typed := range []string{"سعاد حمدان؛ يوسف حمدان", "سعاد حمدان; يوسف حمدان"} {
		var u archive.Update
		mustDo(t, u.Set("names", typed))
		var m archive.Metadata
		m.Apply(u)
		if want := []string{"سعاد حمدان", "يوسف حمدان"}; !slices.Equal(m.Names, want) {
			t.Errorf("names %q became %q, want %q", typed, m.Names, want)
		}
	}
}
