package web

import "github.com/go-chi/chi/v5"

// citizenRoutes registers the citizens' pages: subscriptions, requests,
// complaints. Handler mounts them behind RequireCitizen, so every handler
// here has a citizen in CurrentUser; it must still check that the object
// asked for is that citizen's own.
//
// Ownership is the requests service's: it answers NotFound for another
// citizen's request, file or ticket, so that no handler here compares ids.
func (s *Server) citizenRoutes(r chi.Router) {
	// Requests for a certificate (citizen_requests.go).
	r.Get("/requests", s.handle(s.myRequests))
	r.Get("/requests/new", s.handle(s.chooseService))
	r.Get("/requests/new/{kind}", s.handle(s.requestForm))
	r.Post("/requests/new/{kind}", s.handle(s.submitRequest))
	r.Get("/requests/{ref}", s.handle(s.showRequest))
	r.Post("/requests/{ref}/answer", s.handle(s.answerRequest))
	r.Get("/requests/{ref}/certificate", s.handle(s.downloadCertificate))
	r.Get("/requests/{ref}/files/{id}", s.handle(s.downloadFile(s.cfg.Requests.RequestFile)))

	// Complaints and inquiries (citizen_tickets.go).
	r.Get("/tickets", s.handle(s.myTickets))
	r.Get("/tickets/new", s.handle(s.ticketForm))
	r.Post("/tickets/new", s.handle(s.openTicket))
	r.Get("/tickets/{ref}", s.handle(s.showTicket))
	r.Post("/tickets/{ref}/follow-up", s.handle(s.followUpTicket))
	r.Post("/tickets/{ref}/close", s.handle(s.closeTicket))
	r.Get("/tickets/{ref}/files/{id}", s.handle(s.downloadFile(s.cfg.Requests.TicketFile)))
}
