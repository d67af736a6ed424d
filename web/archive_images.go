package web

import (
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
)

// servedImages are the page images staff pages show; the full-resolution
// page that OCR read stays in the store, for exports and rederiving.
var servedImages = map[string]archive.ImageKind{
	"thumb": archive.ImageThumb,
	"view":  archive.ImageView,
}

// pageImage sends a page's thumbnail or viewer image from the blob store
// to staff acting in the role actingAs names: the archivist under
// /archive, a clerk or supervisor under /office. A record whose last
// fixity check failed shows nothing: its images may be the altered ones.
// A restricted record's image is a view of it like its page, recorded
// each time, in that role, and never kept by the browser.
func (s *Server) pageImage(actingAs func(*accounts.User) string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.sendPageImage(w, r, actingAs(CurrentUser(r.Context())))
	}
}

// archivistRole is the role of anyone on the archivist's pages.
func archivistRole(*accounts.User) string { return accounts.RoleArchivist }

// officeRole is the role u acts in on the office's pages, which clerks
// and supervisors share: a clerk's, unless u is a supervisor only.
func officeRole(u *accounts.User) string {
	if u.Has(accounts.RoleClerk) {
		return accounts.RoleClerk
	}
	return accounts.RoleSupervisor
}

func (s *Server) sendPageImage(w http.ResponseWriter, r *http.Request, role string) error {
	kind, ok := servedImages[chi.URLParam(r, "kind")]
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if !ok || err != nil || n < 1 {
		return sijil.Errorf(sijil.NotFound, "web.not_found", "There is no such page.")
	}

	ctx := r.Context()
	rec, _, err := s.cfg.Archive.ViewRecord(ctx, chi.URLParam(r, "id"),
		CurrentUser(ctx).Login)
	if err != nil {
		return err
	}
	blocked, err := s.cfg.Archive.OriginalBlocked(ctx, rec.ID)
	if err != nil {
		return err
	}
	if blocked {
		return sijil.Errorf(sijil.Conflict, "archive.blocked",
			"record %s failed its last fixity check; its images are not shown", rec.ID)
	}
	if rec.Restricted {
		if err := s.auditAs(r, role, "record.view_restricted", "record", rec.ID,
			"viewed the "+string(kind)+" image of page "+strconv.Itoa(n)); err != nil {
			return err
		}
	}
	if s.cfg.Ingester == nil {
		return sijil.Errorf(sijil.Unavailable, "archive.images_unavailable",
			"this server was started without the archive's ingester")
	}
	img, media, err := s.cfg.Ingester.PageImage(ctx, rec.SHA256, n, kind)
	if err != nil {
		return err
	}
	defer img.Close()

	w.Header().Set("Content-Type", media)
	if rec.Restricted {
		w.Header().Set("Cache-Control", "private, no-store")
	} else {
		// The images of a record never change: they are derived from
		// its original, stored under its hash.
		w.Header().Set("Cache-Control", "private, max-age=86400")
	}
	if _, err := io.Copy(w, img); err != nil {
		s.log.Warn("send page image", "record_id", rec.ID, "page", n, "err", err)
	}
	return nil
}
