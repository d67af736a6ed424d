package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/requests"
)

// ticketStatuses are the tabs of the staff's ticket list, in order.
var ticketStatuses = []requests.TicketStatus{requests.TicketOpen, requests.TicketAnswered,
	requests.TicketClosed}

// ticketListLimit is how many tickets one tab lists, the oldest first.
const ticketListLimit = 100

// officeTicketsView is the staff's list of complaints and inquiries.
type officeTicketsView struct {
	Status   requests.TicketStatus
	Statuses []requests.TicketStatus
	Tickets  []requests.TicketSummary
}

// officeTickets lists the tickets of one status, open by default.
func (s *Server) officeTickets(w http.ResponseWriter, r *http.Request) error {
	st := requests.TicketStatus(r.URL.Query().Get("status"))
	if !slices.Contains(ticketStatuses, st) {
		st = requests.TicketOpen
	}
	list, err := s.cfg.Requests.Tickets(r.Context(), actorOf(CurrentUser(r.Context())), st,
		ticketListLimit)
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "clerk_tickets.html", Page{
		Title: s.T(r, "clerk.tickets_title"),
		Data:  officeTicketsView{Status: st, Statuses: ticketStatuses, Tickets: list}})
	return nil
}

// officeTicketView is one ticket as staff see it.
type officeTicketView struct {
	Ticket requests.Ticket
	Owner  accounts.User
	Names  map[string]string
	Typed  string // the reply typed before a refusal
}

// officeTicket shows a ticket with its conversation and the reply form.
func (s *Server) officeTicket(w http.ResponseWriter, r *http.Request) error {
	return s.showOfficeTicket(w, r, http.StatusOK, nil)
}

func (s *Server) showOfficeTicket(w http.ResponseWriter, r *http.Request, status int,
	failed error) error {
	ctx := r.Context()
	t, err := s.cfg.Requests.Ticket(ctx, actorOf(CurrentUser(ctx)), chi.URLParam(r, "ref"))
	if err != nil {
		return err
	}
	v := officeTicketView{Ticket: t}
	if v.Owner, err = s.cfg.Accounts.UserByID(ctx, t.OwnerID); err != nil {
		return err
	}
	ids := []string{}
	for _, m := range t.Messages {
		ids = append(ids, m.ActorID)
	}
	v.Names = s.staffNames(ctx, ids...)
	p := Page{Title: s.T(r, "clerk.ticket_title", t.Ref), Data: v}
	switch r.URL.Query().Get("done") {
	case "replied":
		p.Flash = s.T(r, "clerk.done_replied")
	case "closed":
		p.Flash = s.T(r, "clerk.done_closed")
	}
	if failed != nil {
		s.logFailure(r, status, failed)
		p.Error = s.userMessage(Lang(ctx), failed)
		v.Typed = r.PostFormValue("text")
		p.Data = v
	}
	s.show(w, r, status, "clerk_ticket.html", p)
	return nil
}

// officeReply answers the ticket, closing it too when asked.
func (s *Server) officeReply(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "ref")
	_, err := s.cfg.Requests.Reply(r.Context(), actorOf(CurrentUser(r.Context())), ref,
		r.PostFormValue("text"), r.PostFormValue("close") != "")
	return s.afterTicketStep(w, r, ref, "replied", err)
}

// officeCloseTicket closes the ticket without a message.
func (s *Server) officeCloseTicket(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "ref")
	_, err := s.cfg.Requests.CloseTicket(r.Context(), actorOf(CurrentUser(r.Context())), ref)
	return s.afterTicketStep(w, r, ref, "closed", err)
}

func (s *Server) afterTicketStep(w http.ResponseWriter, r *http.Request, ref, done string,
	err error) error {
	if err == nil {
		http.Redirect(w, r, "/office/tickets/"+url.PathEscape(ref)+"?done="+done,
			http.StatusSeeOther)
		return nil
	}
	if k := sijil.KindOf(err); k == sijil.Internal || k == sijil.NotFound {
		return err
	}
	return s.showOfficeTicket(w, r, statusFor(err), err)
}

// officeTicketFile sends the ticket's photo or file.
func (s *Server) officeTicketFile(w http.ResponseWriter, r *http.Request) error {
	f, body, err := s.cfg.Requests.TicketFile(r.Context(), actorOf(CurrentUser(r.Context())),
		chi.URLParam(r, "ref"), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	defer body.Close()
	return s.sendAttachment(w, r, f.Name, f.ContentType, f.Size, body)
}
