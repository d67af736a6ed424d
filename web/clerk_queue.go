package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

// queuePageSize is how many requests one page of the queue lists: a
// screenful on an office PC.
const queuePageSize = 25

// queueView is the queue page's content.
type queueView struct {
	Filter   queueFilter
	Rows     []queueRow
	Counts   []stateCount // of the whole filtered queue, in the order of States
	Total    int
	Page     int // from 1
	Pages    int
	PrevURL  string
	NextURL  string
	States   []requests.State
	Kinds    []requests.Kind
	AllTotal int
}

// queueFilter is the queue's filter as the form states it.
type queueFilter struct {
	State string
	Kind  string
	Who   string // "", "mine" or "unassigned"
}

type queueRow struct {
	requests.Summary
	Days     int
	Assignee string // the clerk's name; "" when nobody took it
	Mine     bool
}

type stateCount struct {
	State requests.State
	Count int
}

// officeQueue lists the open requests, the one waiting longest first.
func (s *Server) officeQueue(w http.ResponseWriter, r *http.Request) error {
	u := CurrentUser(r.Context())
	q := r.URL.Query()
	f := queueFilter{State: q.Get("state"), Kind: q.Get("kind"), Who: q.Get("who")}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)

	rf := requests.QueueFilter{Limit: queuePageSize, Offset: (page - 1) * queuePageSize}
	if st := requests.State(f.State); slices.Contains(requests.States, st) {
		rf.States = []requests.State{st}
	} else {
		f.State = ""
	}
	if k := requests.Kind(f.Kind); slices.Contains(requests.Kinds, k) {
		rf.Kind = k
	} else {
		f.Kind = ""
	}
	switch f.Who {
	case "mine":
		rf.AssigneeID = u.ID
	case "unassigned":
		rf.Unassigned = true
	default:
		f.Who = ""
	}
	queue, err := s.cfg.Requests.Queue(r.Context(), actorOf(u), rf)
	if err != nil {
		return err
	}

	v := queueView{Filter: f, Total: queue.Total, Page: page, States: requests.States,
		Kinds: requests.Kinds}
	v.Pages = max(1, (queue.Total+queuePageSize-1)/queuePageSize)
	for _, st := range requests.States {
		if n := queue.Counts[st]; n > 0 {
			v.Counts = append(v.Counts, stateCount{st, n})
			v.AllTotal += n
		}
	}
	ids := make([]string, 0, len(queue.Items))
	for _, it := range queue.Items {
		ids = append(ids, it.AssigneeID)
	}
	names := s.staffNames(r.Context(), ids...)
	for _, it := range queue.Items {
		v.Rows = append(v.Rows, queueRow{Summary: it, Days: int(it.Age.Hours() / 24),
			Assignee: names[it.AssigneeID], Mine: it.AssigneeID == u.ID})
	}
	if page > 1 {
		v.PrevURL = f.url(page - 1)
	}
	if page < v.Pages {
		v.NextURL = f.url(page + 1)
	}
	s.show(w, r, http.StatusOK, "clerk_queue.html", Page{Title: s.T(r, "clerk.queue_title"),
		Data: v})
	return nil
}

// url is the queue's address with this filter, at page.
func (f queueFilter) url(page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"state": f.State, "kind": f.Kind, "who": f.Who} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/office/queue"
	}
	return "/office/queue?" + q.Encode()
}

// staffNames maps account ids to the names colleagues know them by. An
// account that cannot be read shows as its id: a list must not fail for
// one name.
func (s *Server) staffNames(ctx context.Context, ids ...string) map[string]string {
	names := map[string]string{}
	for _, id := range ids {
		if _, done := names[id]; done || id == "" {
			continue
		}
		u, err := s.cfg.Accounts.UserByID(ctx, id)
		if err != nil {
			if sijil.KindOf(err) != sijil.NotFound {
				s.log.Warn("staff name", "user_id", id, "err", err)
			}
			names[id] = id
			continue
		}
		names[id] = u.FullName
	}
	return names
}
