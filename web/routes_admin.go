package web

import "github.com/go-chi/chi/v5"

// adminRoutes registers the admin's pages: staff accounts, imports, the
// audit trail. Handler mounts them behind RequireStaff(admin).
func (s *Server) adminRoutes(r chi.Router) {
	if s.cfg.Audit != nil {
		r.Get("/admin/audit", s.handle(s.adminAudit))
	}
}
