package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// The demo citizen finds a water account with a balance and a paid-up
// solid-waste account; a second --demo start imports nothing again.
func TestDemoBillingIsImportedOnce(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "sijil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := subscriptions.Migrate(ctx, db, sijil.DialectSQLite); err != nil {
		t.Fatal(err)
	}
	store, err := subscriptions.New(subscriptions.Config{DB: db, Secret: make([]byte, 32),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, log: slog.New(slog.DiscardHandler)}

	if err := e.addDemoSubscriptions(ctx, store); err != nil {
		t.Fatal(err)
	}
	first, err := store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := store.ByNationalID(ctx, demoCitizenID)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 || accts[0].Service != subscriptions.ServiceWater ||
		accts[0].Balance != 8640 || accts[1].Service != subscriptions.ServiceSolidWaste ||
		accts[1].Balance != 0 {
		t.Errorf("the demo citizen's accounts: %+v", accts)
	}

	out.Reset()
	if err := e.addDemoSubscriptions(ctx, store); err != nil {
		t.Fatal(err)
	}
	again, err := store.Snapshot(ctx)
	if err != nil || again.ID != first.ID || out.Len() != 0 {
		t.Errorf("a second start imported again: %+v after %+v, said %q", again, first,
			out.String())
	}
}
