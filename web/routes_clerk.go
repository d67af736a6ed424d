package web

import "github.com/go-chi/chi/v5"

// clerkRoutes registers the office's request pages: the queue, drafting,
// approval. Handler mounts them behind RequireStaff(clerk, supervisor);
// narrow a route further with r.With(s.RequireStaff(accounts.RoleSupervisor)).
func (s *Server) clerkRoutes(r chi.Router) {}
