package web

import "github.com/go-chi/chi/v5"

// archivistRoutes registers the archive's pages: imports, metadata,
// failures. Handler mounts them behind RequireStaff(archivist).
func (s *Server) archivistRoutes(r chi.Router) {}
