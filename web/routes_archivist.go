package web

import "github.com/go-chi/chi/v5"

// archivistRoutes registers the archive's pages: search, a record with
// its pages and corrections, duplicates, uploads, imports. Handler mounts
// them behind RequireStaff(archivist).
func (s *Server) archivistRoutes(r chi.Router) {
	r.Get("/archive", s.handle(s.archiveHome))
	r.Get("/archive/search", s.handle(s.archiveSearch))

	r.Get("/archive/records/{id}", s.handle(s.archiveRecord))
	r.Post("/archive/records/{id}", s.handle(s.archiveEdit))
	r.Get("/archive/records/{id}/pages/{n}/text", s.handle(s.archivePageTextForm))
	r.Post("/archive/records/{id}/pages/{n}/text", s.handle(s.archivePageText))
	// Clerks reach the same handler under /office (routes_clerk.go).
	r.Get("/archive/records/{id}/pages/{n}/{kind}", s.handle(s.pageImage(archivistRole)))

	r.Get("/archive/duplicates", s.handle(s.archiveDuplicates))
	r.Post("/archive/duplicates/{id}", s.handle(s.archiveDecide))

	if s.cfg.Ingester != nil {
		r.Get("/archive/upload", s.handle(s.archiveUploadForm))
		r.Post("/archive/upload", s.handle(s.archiveUpload))
	}

	r.Get("/archive/imports", s.handle(s.archiveImports))
	r.Get("/archive/imports/{id}", s.handle(s.archiveImport))
}
