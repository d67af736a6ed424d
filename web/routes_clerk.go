package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil/accounts"
)

// clerkRoutes registers the office's request pages: the queue, a request
// with its archive search and draft, approval, tickets and the dashboard.
// Handler mounts them behind RequireStaff(clerk, supervisor); the
// decisions only a supervisor takes are narrowed further here, and the
// requests service checks them again.
func (s *Server) clerkRoutes(r chi.Router) {
	supervisor := r.With(s.RequireStaff(accounts.RoleSupervisor))

	r.Get("/office", http.RedirectHandler("/office/queue", http.StatusSeeOther).ServeHTTP)
	r.Get("/office/queue", s.handle(s.officeQueue))
	r.Get("/office/dashboard", s.handle(s.officeDashboard))

	r.Get("/office/requests/{ref}", s.handle(s.officeRequest))
	r.Post("/office/requests/{ref}/redraw", s.handle(s.officeRedraw))
	r.Get("/office/requests/{ref}/files/{id}", s.handle(s.officeRequestFile))
	r.Get("/office/requests/{ref}/certificate.pdf", s.handle(s.officeCertificatePDF))
	r.Post("/office/requests/{ref}/take", s.handle(s.officeTake))
	r.Post("/office/requests/{ref}/review", s.handle(s.officeStartReview))
	r.Post("/office/requests/{ref}/ask", s.handle(s.officeAsk))
	r.Post("/office/requests/{ref}/reject", s.handle(s.officeReject))
	r.Post("/office/requests/{ref}/draft", s.handle(s.officeSubmitDraft))
	supervisor.Post("/office/requests/{ref}/assign", s.handle(s.officeAssign))
	supervisor.Post("/office/requests/{ref}/approve", s.handle(s.officeApprove))
	supervisor.Post("/office/requests/{ref}/return", s.handle(s.officeReturn))
	supervisor.Post("/office/requests/{ref}/revoke", s.handle(s.officeRevoke))
	supervisor.Post("/office/requests/{ref}/supersede", s.handle(s.officeSupersede))

	// The page images a clerk checks a record's facts against: the
	// archivist's handler, which audits each view of a restricted record.
	if s.cfg.Archive != nil {
		r.Get("/office/records/{id}/pages/{n}/{kind}", s.handle(s.pageImage(officeRole)))
	}

	r.Get("/office/tickets", s.handle(s.officeTickets))
	r.Get("/office/tickets/{ref}", s.handle(s.officeTicket))
	r.Get("/office/tickets/{ref}/files/{id}", s.handle(s.officeTicketFile))
	r.Post("/office/tickets/{ref}/reply", s.handle(s.officeReply))
	r.Post("/office/tickets/{ref}/close", s.handle(s.officeCloseTicket))
}
