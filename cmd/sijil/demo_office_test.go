package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/requests"
)

// The demo citizen's three requests and complaint wait in the office's
// queue; a second --demo start adds none again.
func TestDemoRequestsAreAddedOnce(t *testing.T) {
	ctx := context.Background()
	db := accountstest.OpenDB(t)
	for _, migrate := range []func(context.Context, *sql.DB, string) error{
		audit.Migrate, requests.Migrate} {
		if err := migrate(ctx, db, sijil.DialectSQLite); err != nil {
			t.Fatal(err)
		}
	}
	accts := accountstest.NewOn(t, db).Accounts
	blobs, err := archive.NewFolderBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := requests.New(requests.Config{DB: db, Blobs: blobs, Issuer: noIssuer{},
		Notifier: noNotices{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, log: slog.New(slog.DiscardHandler)}
	if err := e.addDemoAccounts(ctx, accts); err != nil {
		t.Fatal(err)
	}

	for start := 1; start <= 2; start++ {
		if err := e.addDemoRequests(ctx, accts, reqs); err != nil {
			t.Fatal(err)
		}
		queue, err := reqs.Queue(ctx, requests.Staff("clerk", requests.RoleClerk),
			requests.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, it := range queue.Items {
			kinds = append(kinds, string(it.Kind))
		}
		slices.Sort(kinds)
		want := []string{"building_certificate", "certified_copy", "craft_certificate"}
		if !slices.Equal(kinds, want) {
			t.Errorf("start %d: the queue holds %v, want %v", start, kinds, want)
		}
		tickets, err := reqs.Tickets(ctx, requests.Staff("clerk", requests.RoleClerk), "", 10)
		if err != nil || len(tickets) != 1 {
			t.Errorf("start %d: tickets %v, %v", start, tickets, err)
		}
	}
}

// noIssuer and noNotices stand in for what the demo's requests never
// reach: nobody approves them here, and nobody reads the notices.
type noIssuer struct{}

var errNoIssue = errors.New("the demo test issues nothing")

func (noIssuer) CheckDraft(context.Context, requests.Draft) error { return errNoIssue }

func (noIssuer) IssueBuilding(context.Context, string, requests.BuildingDraft,
	[]string) (requests.Certificate, error) {
	return requests.Certificate{}, errNoIssue
}

func (noIssuer) IssueCraft(context.Context, string, requests.CraftDraft,
	[]string) (requests.Certificate, error) {
	return requests.Certificate{}, errNoIssue
}

func (noIssuer) IssueCopy(context.Context, string, requests.CopyDraft,
	string) (requests.Certificate, error) {
	return requests.Certificate{}, errNoIssue
}

type noNotices struct{}

func (noNotices) Send(context.Context, requests.Notice) error { return nil }
