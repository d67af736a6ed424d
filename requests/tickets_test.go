package requests_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

// TestTicketLifecycle: a complaint with a located photo, a reply, a
// follow-up, closing; the photo loses its GPS; another citizen finds
// nothing.
func TestTicketLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	photo := requests.Upload{Name: "leak.jpg", Body: bytes.NewReader(jpegWithGPS(t))}
	tk, err := e.svc.OpenTicket(ctx, amal, requests.TicketForm{Kind: requests.TicketComplaint,
		Category: "water", Text: "The pipe leaks since Monday.", Place: "near the bakery",
		Lat: "٣٣٫٨٩٣٨", Lon: "35.5018", Photo: &photo})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != requests.TicketOpen || tk.Lat != "33.8938" || tk.Ref[0] != 'S' {
		t.Fatalf("opened %+v", tk)
	}

	open, err := e.svc.Tickets(ctx, clerk, requests.TicketOpen, 0)
	if err != nil || len(open) != 1 || open[0].Ref != tk.Ref {
		t.Fatalf("open tickets %+v, %v", open, err)
	}
	if _, err := e.svc.Reply(ctx, clerk, tk.Ref, "A team goes tomorrow.", false); err != nil {
		t.Fatal(err)
	}
	if open, err = e.svc.Tickets(ctx, clerk, requests.TicketOpen, 0); err != nil ||
		len(open) != 0 {
		t.Fatalf("open tickets after the reply %+v, %v", open, err)
	}
	got, err := e.svc.FollowUp(ctx, amal, tk.Ref, "Nobody came.")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != requests.TicketOpen || len(got.Messages) != 2 ||
		got.Messages[0].ByRole != "office" || got.Messages[0].ActorID != "" {
		t.Fatalf("after the follow-up: %+v", got)
	}
	got, err = e.svc.Reply(ctx, super, tk.Ref, "Fixed today.", true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != requests.TicketClosed || got.Messages[2].ActorID != super.ID {
		t.Fatalf("after closing: %+v", got)
	}
	_, err = e.svc.FollowUp(ctx, amal, tk.Ref, "Thanks")
	wantKind(t, err, sijil.Conflict, "requests.ticket_cannot_follow_up")

	_, rc, err := e.svc.TicketFile(ctx, amal, tk.Ref, got.Files[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(rc)
	rc.Close()
	if bytes.Contains(stored, latitudeBytes()) || bytes.Contains(stored, []byte("Exif")) {
		t.Fatal("the ticket's photo kept its GPS position")
	}

	for name, do := range map[string]func() error{
		"read": func() error { _, err := e.svc.Ticket(ctx, basel, tk.Ref); return err },
		"follow up": func() error {
			_, err := e.svc.FollowUp(ctx, basel, tk.Ref, "x")
			return err
		},
		"close": func() error { _, err := e.svc.CloseTicket(ctx, basel, tk.Ref); return err },
		"photo": func() error {
			_, _, err := e.svc.TicketFile(ctx, basel, tk.Ref, got.Files[0].ID)
			return err
		},
	} {
		t.Run("another citizen cannot "+name, func(t *testing.T) {
			wantKind(t, do(), sijil.NotFound, "requests.ticket_not_found")
		})
	}
	notices := e.notices.keysFor(amal.ID, tk.Ref)
	want := []string{"requests.notice_ticket_opened", "requests.notice_ticket_answered",
		"requests.notice_ticket_closed"}
	if !slices.Equal(notices, want) {
		t.Fatalf("notices %q, want %q", notices, want)
	}
}

// TestTicketFormsAreChecked refuses what a ticket cannot hold.
func TestTicketFormsAreChecked(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		form requests.TicketForm
		key  string
	}{
		{"unknown category", requests.TicketForm{Kind: requests.TicketInquiry,
			Category: "parking", Text: "?"}, "requests.category_invalid"},
		{"no text", requests.TicketForm{Kind: requests.TicketInquiry, Category: "other"},
			"requests.text_required"},
		{"latitude out of range", requests.TicketForm{Kind: requests.TicketComplaint,
			Category: "roads", Text: "hole", Lat: "95", Lon: "35"}, "requests.lat_invalid"},
		{"half a position", requests.TicketForm{Kind: requests.TicketComplaint,
			Category: "roads", Text: "hole", Lat: "33.9"}, "requests.lat_invalid"},
		{"no kind", requests.TicketForm{Category: "roads", Text: "hole"},
			"requests.ticket_kind_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.OpenTicket(context.Background(), amal, tt.form)
			wantKind(t, err, sijil.Invalid, tt.key)
		})
	}
	if list, err := e.svc.MyTickets(context.Background(), amal); err != nil || len(list) != 0 {
		t.Fatalf("refused tickets were kept: %v %v", list, err)
	}
}
