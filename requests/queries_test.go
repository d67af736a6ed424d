package requests_test

import (
	"context"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

// TestQueueAndDashboard: the queue filters and orders by age with counts;
// the dashboard buckets open requests by age and counts issues per week.
func TestQueueAndDashboard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	start := e.now

	// Requests made 40, 10, 3 and 1 days ago; the oldest is issued today.
	var refs []string
	for _, days := range []int{40, 10, 3, 1} {
		e.now = start.AddDate(0, 0, -days)
		refs = append(refs, e.submit(t, amal).Ref)
	}
	e.now = start
	craft, err := e.svc.Submit(ctx, basel, &requests.CraftForm{ShopAddress: "سوق الذهب",
		Trade: "صياغة", Holder: "باسل"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	must(t)(e.svc.StartReview(ctx, clerk, refs[0]))
	must(t)(e.svc.SubmitDraft(ctx, clerk, refs[0], buildingDraft()))
	must(t)(e.svc.Approve(ctx, super, refs[0]))
	must(t)(e.svc.StartReview(ctx, clerk2, refs[1]))

	tests := []struct {
		name   string
		filter requests.QueueFilter
		want   []string
		counts map[requests.State]int
	}{
		{"every open request, oldest first", requests.QueueFilter{},
			[]string{refs[1], refs[2], refs[3], craft.Ref},
			map[requests.State]int{requests.StateSubmitted: 3, requests.StateInReview: 1}},
		{"unassigned", requests.QueueFilter{Unassigned: true},
			[]string{refs[2], refs[3], craft.Ref}, nil},
		{"one clerk's", requests.QueueFilter{AssigneeID: clerk2.ID},
			[]string{refs[1]}, nil},
		{"crafts", requests.QueueFilter{Kind: requests.KindCraft},
			[]string{craft.Ref}, nil},
		{"issued", requests.QueueFilter{States: []requests.State{requests.StateIssued}},
			[]string{refs[0]}, nil},
		{"a page", requests.QueueFilter{Limit: 2, Offset: 1},
			[]string{refs[2], refs[3]}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := e.svc.Queue(ctx, clerk, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range q.Items {
				got = append(got, it.Ref)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("queue %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("queue %v, want %v", got, tt.want)
				}
			}
			for st, n := range tt.counts {
				if q.Counts[st] != n {
					t.Errorf("count of %s: %d, want %d", st, q.Counts[st], n)
				}
			}
		})
	}
	_, err = e.svc.Queue(ctx, amal, requests.QueueFilter{})
	wantKind(t, err, sijil.Forbidden, "requests.staff_only")

	mine, err := e.svc.MyRequests(ctx, amal)
	if err != nil || len(mine) != 4 || mine[0].Ref != refs[3] || mine[0].AssigneeID != "" {
		t.Fatalf("amal's list %+v, %v", mine, err)
	}

	if _, err := e.svc.OpenTicket(ctx, basel, requests.TicketForm{
		Kind: requests.TicketInquiry, Category: "certificates", Text: "How long?"}); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.Dashboard(ctx, super, 4)
	if err != nil {
		t.Fatal(err)
	}
	// Buckets: under 2 days, 2-7, 7-30, older.
	wantSubmitted := []int{2, 1, 0, 0} // refs[3] and craft; refs[2]
	wantReview := []int{0, 0, 1, 0}    // refs[1]
	for i := range wantSubmitted {
		if d.ByState[requests.StateSubmitted][i] != wantSubmitted[i] ||
			d.ByState[requests.StateInReview][i] != wantReview[i] {
			t.Fatalf("by state %v, want submitted %v in review %v", d.ByState,
				wantSubmitted, wantReview)
		}
	}
	if len(d.IssuedPerWeek) != 4 || d.IssuedPerWeek[3].Count != 1 ||
		d.IssuedPerWeek[3].Start.Weekday() != time.Monday || d.OpenTickets != 1 {
		t.Fatalf("issued per week %+v, open tickets %d", d.IssuedPerWeek, d.OpenTickets)
	}
}
