package requests_test

import (
	"context"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/requests"
)

// benchRequests is how many requests the office's queries run over: about
// three weeks of a city's requests at a hundred thousand a year, all open,
// which is the queue's worst case.
const benchRequests = 5000

// seeded returns an env with benchRequests submitted over the last 60
// days, a fifth of them in review.
func seeded(b *testing.B) *env {
	b.Helper()
	e := newEnvTB(b)
	ctx := context.Background()
	start := e.now
	for i := range benchRequests {
		e.now = start.Add(-time.Duration(benchRequests-i) * 60 * 24 * time.Hour /
			benchRequests)
		r, err := e.svc.Submit(ctx, amal, buildingForm(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if i%5 == 0 {
			if _, err := e.svc.StartReview(ctx, clerk, r.Ref); err != nil {
				b.Fatal(err)
			}
		}
	}
	e.now = start
	return e
}

// BenchmarkSubmit measures a citizen's submission without files: the
// form, a reference number, the row, its event and its audit record.
func BenchmarkSubmit(b *testing.B) {
	e := newEnvTB(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.svc.Submit(ctx, amal, buildingForm(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueue measures the first page of a clerk's queue with its
// counts over benchRequests open requests.
func BenchmarkQueue(b *testing.B) {
	e := seeded(b)
	ctx := context.Background()
	for b.Loop() {
		q, err := e.svc.Queue(ctx, clerk, requests.QueueFilter{Unassigned: true})
		if err != nil || len(q.Items) != 50 {
			b.Fatalf("%d items, %v", len(q.Items), err)
		}
	}
}

// BenchmarkDashboard measures the dashboard's counts over benchRequests
// open requests.
func BenchmarkDashboard(b *testing.B) {
	e := seeded(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.svc.Dashboard(ctx, super, 12); err != nil {
			b.Fatal(err)
		}
	}
}
