package web

import (
	"errors"
	"net/http"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

func (s *Server) myTickets(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Requests.MyTickets(r.Context(), citizenActor(r))
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "citizen_tickets.html", Page{
		Title: s.T(r, "citizen.tickets_title"), Data: list})
	return nil
}

// ticketFormView is the new ticket form: the categories to choose from and
// each field's problem.
type ticketFormView struct {
	Kinds      []requests.TicketKind
	Categories []string
	Problems   map[string]string
	MaxMB      int
}

func (s *Server) ticketFormPage(r *http.Request, problems map[string]string) Page {
	return Page{Title: s.T(r, "citizen.ticket_new_title"), Data: ticketFormView{
		Kinds:      []requests.TicketKind{requests.TicketComplaint, requests.TicketInquiry},
		Categories: requests.TicketCategories, Problems: problems,
		MaxMB: requests.MaxFileBytes >> 20}}
}

func (s *Server) ticketForm(w http.ResponseWriter, r *http.Request) error {
	p := s.ticketFormPage(r, nil)
	if kind := r.URL.Query().Get("kind"); kind != "" {
		p.Form = map[string][]string{"ticket_kind": {kind}}
	}
	s.show(w, r, http.StatusOK, "citizen_ticket_form.html", p)
	return nil
}

// openTicket records a complaint or an inquiry, with its optional photo,
// whose metadata the service strips.
func (s *Server) openTicket(w http.ResponseWriter, r *http.Request) error {
	uploads, err := parseUpload(w, r, "photo", 1)
	defer closeUploads(uploads)
	var t requests.Ticket
	if err == nil {
		f := requests.TicketForm{Kind: requests.TicketKind(r.PostFormValue("ticket_kind")),
			Category: r.PostFormValue("category"), Text: r.PostFormValue("text"),
			Place: r.PostFormValue("place"), Lat: r.PostFormValue("lat"),
			Lon: r.PostFormValue("lon")}
		if len(uploads) > 0 {
			f.Photo = &uploads[0]
		}
		t, err = s.cfg.Requests.OpenTicket(r.Context(), citizenActor(r), f)
	}
	if err != nil {
		problems, err := s.problems(r, err, "photo")
		return s.showForm(w, r, "citizen_ticket_form.html", s.ticketFormPage(r, problems), err)
	}

	http.Redirect(w, r, "/tickets/"+t.Ref+"?new=1", http.StatusSeeOther)
	return nil
}

// ticketView is a ticket's page.
type ticketView struct {
	Ticket   requests.Ticket
	Problems map[string]string
	New      bool // just opened: say the reference number first
}

func (s *Server) showTicket(w http.ResponseWriter, r *http.Request) error {
	ref, ok, err := canonicalRef(w, r)
	if !ok {
		return err
	}
	t, err := s.cfg.Requests.Ticket(r.Context(), citizenActor(r), ref)
	if err != nil {
		return err
	}
	p := Page{Title: s.T(r, "citizen.ticket_title", ref), Data: ticketView{Ticket: t,
		New: r.URL.Query().Get("new") != ""}}
	switch {
	case r.URL.Query().Get("sent") != "":
		p.Flash = s.T(r, "citizen.follow_up_sent")
	case r.URL.Query().Get("closed") != "":
		p.Flash = s.T(r, "citizen.ticket_closed")
	}
	s.show(w, r, http.StatusOK, "citizen_ticket.html", p)
	return nil
}

// followUpTicket adds the citizen's message to their ticket, which opens
// it again for the office.
func (s *Server) followUpTicket(w http.ResponseWriter, r *http.Request) error {
	ref, _, err := canonicalRef(w, r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormFields)

	// A message past the form's cap cannot be read at all; it was read as
	// empty and the citizen told to write one. It is far over the
	// message's own limit, so it gets that answer.
	var tooBig *http.MaxBytesError
	if perr := r.ParseForm(); errors.As(perr, &tooBig) {
		err = requests.ErrNoteTooLong("message")
	} else {
		_, err = s.cfg.Requests.FollowUp(r.Context(), citizenActor(r), ref,
			r.PostFormValue("message"))
	}
	if sijil.KindOf(err) == sijil.Invalid {
		t, terr := s.cfg.Requests.Ticket(r.Context(), citizenActor(r), ref)
		if terr != nil {
			return terr
		}
		problems, err := s.problems(r, err, "")
		return s.showForm(w, r, "citizen_ticket.html", Page{
			Title: s.T(r, "citizen.ticket_title", ref),
			Data:  ticketView{Ticket: t, Problems: problems}}, err)
	}
	if err != nil {
		return err
	}

	http.Redirect(w, r, "/tickets/"+ref+"?sent=1", http.StatusSeeOther)
	return nil
}

func (s *Server) closeTicket(w http.ResponseWriter, r *http.Request) error {
	ref, _, err := canonicalRef(w, r)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Requests.CloseTicket(r.Context(), citizenActor(r), ref); err != nil {
		return err
	}
	http.Redirect(w, r, "/tickets/"+ref+"?closed=1", http.StatusSeeOther)
	return nil
}
