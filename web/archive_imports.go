package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil/archive"
)

// jobView is one bulk import's lines: those not archived, or all.
type jobView struct {
	ID    string
	Lines []lineView
	All   bool
}

// lineView is a job's line as its page lists it. Why is the reason in the
// reader's language, or in English, as recorded, when English is set: on
// English pages, for a failure, and for a line written before reasons
// kept their catalog key.
type lineView struct {
	archive.JobLine
	Why     string
	English bool
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
	lines, err := s.cfg.Archive.ImportJobLines(r.Context(), v.ID, !v.All)
	if err != nil {
		return err
	}
	lang := Lang(r.Context())
	for _, l := range lines {
		// The recorded English names the file and the value at fault; the
		// catalogs say what is wrong in general, the line names the file.
		lv := lineView{JobLine: l, Why: l.Reason, English: l.Reason != ""}
		if _, ok := s.catalogs[lang][l.ReasonKey]; ok && lang != langEN {
			lv.Why, lv.English = s.translate(lang, l.ReasonKey), false
		}
		if fields := l.NotApplied(); fields != nil {
			names := make([]archive.Phrase, len(fields))
			for i, f := range fields {
				names[i] = archive.Phrase{Key: "archive.field_" + f}
			}
			lv.Why = s.translate(lang, l.ReasonKey, s.phrasesText(lang, names))
			lv.English = false
		}
		v.Lines = append(v.Lines, lv)
	}
	s.show(w, r, http.StatusOK, "archive_import.html", Page{
		Title: s.T(r, "archive.import_title"), Data: v})
	return nil
}
