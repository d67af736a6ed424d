package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/internal/pgtest"
)

// openDB opens a migrated database: PostgreSQL under TestPostgres, else a
// SQLite file with the pragmas the app uses, so that concurrent writers
// wait for each other as they do in production.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	if pgtest.Requested(t) {
		db := pgtest.Open(t)
		if err := audit.Migrate(context.Background(), db, sijil.DialectPostgres); err != nil {
			t.Fatal(err)
		}
		return db
	}
	dsn := "file:" + filepath.Join(t.TempDir(), "sijil.db") +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := audit.Migrate(context.Background(), db, sijil.DialectSQLite); err != nil {
		t.Fatal(err)
	}
	return db
}

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// event returns a valid event by actor, action and object, i hours after t0.
func event(i int, actor, action, kind, id string) audit.Event {
	return audit.Event{
		At: t0.Add(time.Duration(i) * time.Hour), ActorID: actor, ActorRole: "clerk",
		Action: action, ObjectKind: kind, ObjectID: id, RequestID: fmt.Sprintf("req-%d", i),
	}
}

func mustAppend(t *testing.T, q audit.Queryer, e audit.Event) audit.Event {
	t.Helper()
	got, err := audit.Append(context.Background(), q, e)
	if err != nil {
		t.Fatalf("append %+v: %v", e, err)
	}
	return got
}

// seqs lists the event numbers of a page, to compare pages briefly.
func seqs(p audit.Page) []int64 {
	var s []int64
	for _, e := range p.Events {
		s = append(s, e.Seq)
	}
	return s
}

func TestFindFiltersAndPagesNewestFirst(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	// 1..6: two clerks viewing and deciding on two requests over six hours.
	mustAppend(t, db, event(0, "u-amal", "request.view", "request", "REQ-1"))
	mustAppend(t, db, event(1, "u-amal", "request.view", "request", "REQ-2"))
	mustAppend(t, db, event(2, "u-basel", "request.view", "request", "REQ-1"))
	mustAppend(t, db, event(3, "u-basel", "cert.approve", "request", "REQ-1"))
	mustAppend(t, db, event(4, "u-amal", "record.view", "record", "rec_9"))
	last := mustAppend(t, db, event(5, "u-amal", "request.view", "request", "REQ-1"))
	if last.Seq != 6 || len(last.Hash) != 64 || !last.At.Equal(t0.Add(5*time.Hour)) {
		t.Fatalf("the sixth append returned %+v", last)
	}

	tests := []struct {
		name string
		f    audit.Filter
		want []int64
	}{
		{"everything", audit.Filter{}, []int64{6, 5, 4, 3, 2, 1}},
		{"by actor", audit.Filter{ActorID: "u-basel"}, []int64{4, 3}},
		{"by object", audit.Filter{ObjectKind: "request", ObjectID: "REQ-1"},
			[]int64{6, 4, 3, 1}},
		{"by kind", audit.Filter{ObjectKind: "record"}, []int64{5}},
		{"by action", audit.Filter{Action: "cert.approve"}, []int64{4}},
		{"actor and action", audit.Filter{ActorID: "u-amal", Action: "request.view"},
			[]int64{6, 2, 1}},
		{"time range, end excluded", audit.Filter{Since: t0.Add(time.Hour),
			Until: t0.Add(4 * time.Hour)}, []int64{4, 3, 2}},
		{"since, in another zone", audit.Filter{
			Since: t0.Add(4 * time.Hour).In(time.FixedZone("EET", 2*3600))}, []int64{6, 5}},
		{"nothing matches", audit.Filter{ActorID: "u-nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := audit.Find(ctx, db, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(p); fmt.Sprint(got) != fmt.Sprint(tt.want) || p.Next != 0 {
				t.Errorf("got %v next %d, want %v next 0", got, p.Next, tt.want)
			}
		})
	}

	// Pages of two by object: the cursor walks to the oldest and stops.
	f := audit.Filter{ObjectKind: "request", Limit: 2}
	var pages [][]int64
	for {
		p, err := audit.Find(ctx, db, f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, seqs(p))
		if p.Next == 0 {
			break
		}
		f.Before = p.Next
	}
	if fmt.Sprint(pages) != "[[6 4] [3 2] [1]]" {
		t.Errorf("pages of 2: got %v, want [[6 4] [3 2] [1]]", pages)
	}

	got, err := audit.Find(ctx, db, audit.Filter{Action: "cert.approve"})
	if err != nil {
		t.Fatal(err)
	}
	want := event(3, "u-basel", "cert.approve", "request", "REQ-1")
	if e := got.Events[0]; e.ActorRole != "clerk" || e.RequestID != want.RequestID ||
		!e.At.Equal(want.At) || e.ObjectID != "REQ-1" {
		t.Errorf("event read back: %+v", e)
	}
}

func TestFindRefusesBadPagesAndRanges(t *testing.T) {
	db := openDB(t)
	for _, f := range []audit.Filter{
		{Limit: audit.MaxLimit + 1}, {Limit: -1},
		{Since: t0, Until: t0}, {Since: t0, Until: t0.Add(-time.Hour)},
	} {
		_, err := audit.Find(context.Background(), db, f)
		if sijil.KindOf(err) != sijil.Invalid {
			t.Errorf("filter %+v: got %v, want an Invalid error", f, err)
		}
	}
}

func TestAppendRefusesMalformedEvents(t *testing.T) {
	db := openDB(t)
	ok := event(0, "u-amal", "request.view", "request", "REQ-1")
	tests := []struct {
		name   string
		change func(*audit.Event)
	}{
		{"no actor", func(e *audit.Event) { e.ActorID = "" }},
		{"no role", func(e *audit.Event) { e.ActorRole = "" }},
		{"role in free text", func(e *audit.Event) { e.ActorRole = "Clerk Amal" }},
		{"no action", func(e *audit.Event) { e.Action = "" }},
		{"action with spaces", func(e *audit.Event) { e.Action = "view request" }},
		{"object id without kind", func(e *audit.Event) { e.ObjectKind = "" }},
		{"national ID in the detail", func(e *audit.Event) {
			e.Detail = "looked up the citizen 123456782"
		}},
		{"national ID in Arabic-Indic digits", func(e *audit.Event) {
			e.Detail = "المواطن ١٢٣٤٥٦٧٨٢"
		}},
		{"detail too long", func(e *audit.Event) { e.Detail = string(make([]byte, 2001)) }},
		{"invalid UTF-8", func(e *audit.Event) { e.Detail = "\xff\xfe" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.change(&e)
			_, err := audit.Append(context.Background(), db, e)
			var se *sijil.Error
			if !errors.As(err, &se) || se.Kind != sijil.Invalid || se.Key != "audit.invalid_event" {
				t.Fatalf("got %v, want an Invalid audit.invalid_event error", err)
			}
		})
	}

	// A nine-digit number that fails the check digit is not an ID: a
	// reference number in the detail is fine.
	e := ok
	e.Detail = "permit 123456789, 2 pages"
	mustAppend(t, db, e)
	if h, err := audit.HeadOf(context.Background(), db); err != nil || h.Seq != 1 {
		t.Fatalf("after the refusals and one good event the head is %+v, %v", h, err)
	}
}

// TestAppendCommitsWithTheCallersTransaction: an event recorded for an
// action that rolled back is gone with it, and the chain stays whole.
func TestAppendCommitsWithTheCallersTransaction(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustAppend(t, db, event(0, "u-amal", "request.view", "request", "REQ-1"))

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, tx, event(1, "u-amal", "cert.approve", "request", "REQ-1"))
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept := mustAppend(t, tx, event(2, "u-amal", "request.reject", "request", "REQ-1"))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	p, err := audit.Find(ctx, db, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 2 || p.Events[0].Action != "request.reject" || kept.Seq != 2 {
		t.Fatalf("after a rollback and a commit: %+v", p.Events)
	}
	rep, err := audit.Verify(ctx, db)
	if err != nil || len(rep.Problems) != 0 || rep.Checked != 2 {
		t.Fatalf("verify after a rolled-back append: %+v, %v", rep, err)
	}
}

// TestConcurrentAppendsKeepOneChain: appenders racing on the database each
// get their own number and the chain verifies.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	db := openDB(t)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e := event(i, fmt.Sprintf("u-%d", w), "request.view", "request", "REQ-1")
				if _, err := audit.Append(context.Background(), db, e); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rep, err := audit.Verify(context.Background(), db)
	if err != nil || len(rep.Problems) != 0 || rep.Checked != workers*each ||
		rep.Head.Seq != workers*each {
		t.Fatalf("verify after concurrent appends: %+v, %v", rep, err)
	}
}
