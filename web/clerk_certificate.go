package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/requests/certsissuer"
)

// A supervisor ends an issued certificate's validity from its request's
// page: revoked for a public reason, or superseded by a corrected one.

// officeRevoke revokes the request's certificate for a reason code.
func (s *Server) officeRevoke(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "revoke", "revoked",
		func(ctx context.Context, by requests.Actor, ref string) error {
			req, err := s.issuedRequest(ctx, by, ref)
			if err != nil {
				return err
			}
			reason := r.PostFormValue("reason")
			if !slices.Contains(revokeReasons, reason) {
				return sijil.Errorf(sijil.Invalid, "clerk.pick_reason",
					"Pick the reason the certificate is revoked for.")
			}
			if err := s.cfg.Certs.Revoke(ctx, req.CertID, reason,
				r.PostFormValue("note")); err != nil {
				return err
			}
			if err := s.auditCert(r, "cert.revoke", req.CertID, reason); err != nil {
				return err
			}
			_, err = s.cfg.Requests.CertificateRevoked(ctx, by, ref, reason)
			return err
		})
}

// officeSupersede issues a corrected certificate from the draft form in
// place of the request's certificate, which becomes superseded by it; the
// request then names the new one, which its citizen downloads.
func (s *Server) officeSupersede(w http.ResponseWriter, r *http.Request) error {
	return s.officeStep(w, r, "draft", "superseded",
		func(ctx context.Context, by requests.Actor, ref string) error {
			req, err := s.issuedRequest(ctx, by, ref)
			if err != nil {
				return err
			}
			r.PostForm.Set("drafting", "1")
			d, err := readDraft(req.Kind, r.PostForm)
			if err != nil {
				return err
			}
			issued, err := s.supersede(ctx, req, d)
			if err != nil {
				return err
			}
			err = s.auditCert(r, "cert.supersede", req.CertID, "replaced_by="+issued.ID)
			if err != nil {
				return err
			}
			_, err = s.cfg.Requests.CertificateSuperseded(ctx, by, ref,
				requests.Certificate{ID: issued.ID, PDFKey: issued.PDFKey})
			return err
		})
}

// issuedRequest is the request ref, which must hold an issued
// certificate, for a supervisor.
func (s *Server) issuedRequest(ctx context.Context, by requests.Actor,
	ref string) (requests.Request, error) {
	if s.cfg.Certs == nil {
		return requests.Request{}, sijil.Errorf(sijil.Unavailable, "clerk.no_certs",
			"Certificates cannot be changed on this server.")
	}
	req, err := s.cfg.Requests.Request(ctx, by, ref)
	if err != nil {
		return requests.Request{}, err
	}
	if req.State != requests.StateIssued || req.CertID == "" {
		return requests.Request{}, sijil.Errorf(sijil.Conflict, "clerk.not_issued",
			"This request has no issued certificate.")
	}
	return req, nil
}

// supersede issues d as the certificate that replaces req's.
func (s *Server) supersede(ctx context.Context, req requests.Request,
	d requests.Draft) (certs.Issued, error) {
	ids := make([]string, len(d.Records))
	for i, l := range d.Records {
		ids[i] = l.RecordID
	}
	switch {
	case d.Building != nil:
		return s.cfg.Certs.SupersedeBuilding(ctx, req.CertID,
			certsissuer.BuildingRequest(*d.Building, ids))
	case d.Craft != nil:
		return s.cfg.Certs.SupersedeCraft(ctx, req.CertID,
			certsissuer.CraftRequest(*d.Craft, ids))
	case d.Copy != nil && len(ids) == 1:
		return s.cfg.Certs.SupersedeCopy(ctx, req.CertID, certsissuer.CopyRequest(*d.Copy, ids[0]))
	}
	return certs.Issued{}, fieldError("draft_records", "clerk.copy_one_record",
		"A certified copy reproduces exactly one record.")
}

// auditCert records a supervisor's decision on a certificate. certs
// commits the revocation with its log leaf; this row, after it, says who.
// TODO(#5): the row is appended after certs commits, so an audit store
// failing in between leaves a decision unaudited; both belong in one
// transaction once certs takes the actor.
func (s *Server) auditCert(r *http.Request, action, certID, detail string) error {
	return s.auditAs(r, accounts.RoleSupervisor, action, "certificate", certID, detail)
}
