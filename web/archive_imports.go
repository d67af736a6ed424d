package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil/archive"
)

// jobView is one bulk import's lines: those not archived, or all.
type jobView struct {
	ID    string
	Lines []archive.JobLine
	All   bool
}

// archiveImports lists the bulk imports, newest first, with their counts.
func (s *Server) archiveImports(w http.ResponseWriter, r *http.Request) error {
	jobs, err := s.cfg.Archive.ImportJobs(r.Context(), 50)
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "archive_imports.html", Page{
		Title: s.T(r, "archive.imports_title"), Data: jobs})
	return nil
}

// archiveImport lists one job's lines that were refused, failed or are
// still pending, each with its reason; with all=1 every line.
func (s *Server) archiveImport(w http.ResponseWriter, r *http.Request) error {
	v := jobView{ID: chi.URLParam(r, "id"), All: r.URL.Query().Get("all") == "1"}
	var err error
	if v.Lines, err = s.cfg.Archive.ImportJobLines(r.Context(), v.ID, !v.All); err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "archive_import.html", Page{
		Title: s.T(r, "archive.import_title"), Data: v})
	return nil
}
