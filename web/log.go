package web

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
)

// The public issuance log: anyone may fetch the latest signed checkpoint,
// any leaf, and the proofs that tie them together, to check that nothing
// was issued or revoked silently.

func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) error {
	cp, err := s.cfg.Log.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=10")
	w.Write(cp)
	return nil
}

func (s *Server) logLeaf(w http.ResponseWriter, r *http.Request) error {
	index, err := uintParam(chi.URLParam(r, "index"), "index")
	if err != nil {
		return err
	}
	leaf, err := s.cfg.Log.Leaf(r.Context(), index)
	if err != nil {
		return err
	}
	// A leaf never changes once written.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	writeJSON(w, http.StatusOK, map[string]any{"index": index, "leaf": leaf})
	return nil
}

func (s *Server) logInclusion(w http.ResponseWriter, r *http.Request) error {
	index, err := uintParam(r.URL.Query().Get("index"), "index")
	if err != nil {
		return err
	}
	size, err := uintParam(r.URL.Query().Get("size"), "size")
	if err != nil {
		return err
	}
	hashes, err := s.cfg.Log.Inclusion(r.Context(), index, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"index": index, "size": size,
		"hashes": hashes})
	return nil
}

func (s *Server) logConsistency(w http.ResponseWriter, r *http.Request) error {
	from, err := uintParam(r.URL.Query().Get("from"), "from")
	if err != nil {
		return err
	}
	to, err := uintParam(r.URL.Query().Get("to"), "to")
	if err != nil {
		return err
	}
	hashes, err := s.cfg.Log.Consistency(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "hashes": hashes})
	return nil
}

func (s *Server) revocations(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.cfg.Revocations(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Write(doc)
	return nil
}

func uintParam(v, name string) (uint64, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, sijil.Errorf(sijil.Invalid, "log.bad_number",
			"%s must be a whole number", name)
	}
	return n, nil
}
