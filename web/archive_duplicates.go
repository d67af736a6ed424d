package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// dupView is one duplicate flag with the two records it names.
type dupView struct {
	Flag          archive.DuplicateFlag
	Record, Other archive.Record
	Detail        string // the flag's detail in the reader's language, or as written
	English       bool   // Detail is as written: a form the catalogs do not know
}

// dupsView is the duplicates page: the flags, open ones unless All.
type dupsView struct {
	Flags []dupView
	All   bool
	Open  string // the flag whose decision failed, shown with its error

	// OpenUnlisted is set when that flag is not among Flags, so that its
	// error shows at the top instead of nowhere.
	OpenUnlisted bool
}

// archiveDuplicates lists the duplicate flags, oldest first, each with
// both records' descriptions and a form to decide it.
func (s *Server) archiveDuplicates(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadDuplicates(r)
	if err != nil {
		return err
	}
	p := Page{Title: s.T(r, "archive.dups_title"), Data: v}
	if r.URL.Query().Get("done") == "decided" {
		p.Flash = s.T(r, "archive.dup_decided")
	}
	s.show(w, r, http.StatusOK, "archive_duplicates.html", p)
	return nil
}

func (s *Server) loadDuplicates(r *http.Request) (dupsView, error) {
	ctx := r.Context()
	// A decision's form posts all=1 back, so that a refusal shows the
	// same list the archivist decided from.
	v := dupsView{All: r.FormValue("all") == "1"}
	f := archive.DuplicateFilter{Status: archive.DupOpen, Limit: 200}
	if v.All {
		f.Status = ""
	}
	flags, err := s.cfg.Archive.Duplicates(ctx, f)
	if err != nil {
		return dupsView{}, err
	}
	for _, d := range flags {
		dv := dupView{Flag: d, Detail: d.Detail, English: d.Detail != ""}
		if phrases, ok := d.DetailPhrases(); ok {
			dv.Detail, dv.English = s.phrasesText(Lang(ctx), phrases), false
		}
		// Descriptions only, as in search results: opening a record is
		// its page's business, which records views of restricted ones.
		if dv.Record, err = s.cfg.Archive.RecordByID(ctx, d.RecordID); err != nil {
			return dupsView{}, err
		}
		if dv.Other, err = s.cfg.Archive.RecordByID(ctx, d.OtherID); err != nil {
			return dupsView{}, err
		}
		v.Flags = append(v.Flags, dv)
	}
	return v, nil
}

// archiveDecide records the archivist's decision on one flag.
func (s *Server) archiveDecide(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	d := archive.Decision{Status: r.PostFormValue("status"),
		By: CurrentUser(r.Context()).Login, Note: r.PostFormValue("note"),
		Audit: s.archiveAudit(r, "duplicate.decide", "duplicate",
			"decided "+r.PostFormValue("status"))}
	if _, err := s.cfg.Archive.Decide(r.Context(), id, d); err != nil {
		if sijil.KindOf(err) != sijil.Invalid {
			return err
		}
		v, lerr := s.loadDuplicates(r)
		if lerr != nil {
			return lerr
		}
		v.Open, v.OpenUnlisted = id, true
		for _, f := range v.Flags {
			if f.Flag.ID == id {
				v.OpenUnlisted = false
			}
		}
		return s.showForm(w, r, "archive_duplicates.html",
			Page{Title: s.T(r, "archive.dups_title"), Data: v}, err)
	}

	back := "/archive/duplicates?done=decided"
	if r.PostFormValue("all") == "1" {
		back += "&all=1"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
