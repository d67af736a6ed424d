package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

// citizenActor is the signed-in citizen as the requests service knows
// them, with the request id for the audit trail.
func citizenActor(r *http.Request) requests.Actor {
	a := actorOf(CurrentUser(r.Context()))
	a.RequestID = requestID(r)
	return a
}

func (s *Server) myRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Requests.MyRequests(r.Context(), citizenActor(r))
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "citizen_requests.html", Page{
		Title: s.T(r, "citizen.requests_title"), Data: list})
	return nil
}

func (s *Server) chooseService(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "citizen_choose.html", Page{
		Title: s.T(r, "citizen.choose_title"), Data: services})
	return nil
}

// requestFormView is the form page of one service.
type requestFormView struct {
	Service   service
	Fields    []field
	FileError string // what is wrong with the files attached
	MaxFiles  int
	MaxMB     int
}

func (s *Server) requestFormPage(r *http.Request, sv service, typed url.Values,
	problems map[string]string) Page {
	return Page{Title: s.T(r, sv.key("title")), Data: requestFormView{
		Service: sv, Fields: s.fields(r, sv, typed, problems), FileError: problems["files"],
		MaxFiles: requests.MaxFiles, MaxMB: requests.MaxFileBytes >> 20}}
}

func (s *Server) requestForm(w http.ResponseWriter, r *http.Request) error {
	sv, err := serviceBySlug(chi.URLParam(r, "kind"))
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "citizen_request_form.html",
		s.requestFormPage(r, sv, nil, nil))
	return nil
}

// submitRequest records the citizen's request and sends them to its page,
// or shows the form again with each field's problem next to it.
func (s *Server) submitRequest(w http.ResponseWriter, r *http.Request) error {
	sv, err := serviceBySlug(chi.URLParam(r, "kind"))
	if err != nil {
		return err
	}

	uploads, err := parseUpload(w, r, "files", requests.MaxFiles)
	defer closeUploads(uploads)
	var req requests.Request
	if err == nil {
		var form requests.Form
		if form, err = sv.fill(r.PostForm); err != nil {
			return err
		}
		req, err = s.cfg.Requests.Submit(r.Context(), citizenActor(r), form, uploads)
	}
	if err != nil {
		problems, err := s.problems(r, err, "files")
		return s.showForm(w, r, "citizen_request_form.html",
			s.requestFormPage(r, sv, r.PostForm, problems), err)
	}

	http.Redirect(w, r, "/requests/"+req.Ref+"?new=1", http.StatusSeeOther)
	return nil
}

// requestView is a request's page.
type requestView struct {
	Req      requests.Request
	Service  service
	Shown    []shownField
	Events   []requests.Event
	Files    []fileRow
	Question string // the office's open question, when it waits on the citizen
	Problems map[string]string
	New      bool // just submitted: say the reference number first
}

// fileRow is a supporting file in a list, with its size in kilobytes.
type fileRow struct {
	requests.File
	KB int64
}

// shownField is one filled field of the citizen's form, as stated.
type shownField struct{ Label, Value string }

// canonicalRef reads the {ref} of the URL as a citizen may type it; ok is
// false when it sent the browser to the canonical URL instead, so that
// the page's own links and forms use the printed form.
func canonicalRef(w http.ResponseWriter, r *http.Request) (ref string, ok bool, err error) {
	typed := chi.URLParam(r, "ref")
	parse := requests.ParseRef
	if strings.HasPrefix(r.URL.Path, "/tickets/") {
		parse = requests.ParseTicketRef
	}
	ref, err = parse(typed)
	if err != nil {
		return "", false, err
	}
	if ref != typed && r.Method == http.MethodGet {
		u := url.URL{Path: strings.Replace(r.URL.Path, typed, ref, 1),
			RawQuery: r.URL.RawQuery}
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
		return "", false, nil
	}
	return ref, true, nil
}

func (s *Server) showRequest(w http.ResponseWriter, r *http.Request) error {
	ref, ok, err := canonicalRef(w, r)
	if !ok {
		return err
	}
	p, err := s.requestPage(r, ref)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("new") != "" {
		v := p.Data.(requestView)
		v.New = true // the page says the number itself, where it can isolate it
		p.Data = v
	}
	if r.URL.Query().Get("answered") != "" {
		p.Flash = s.T(r, "citizen.answer_sent")
	}
	s.show(w, r, http.StatusOK, "citizen_request.html", p)
	return nil
}

// requestPage loads the request ref and its timeline, as its owner sees
// them: the service answers NotFound for anyone else's.
func (s *Server) requestPage(r *http.Request, ref string) (Page, error) {
	ctx, by := r.Context(), citizenActor(r)
	req, err := s.cfg.Requests.Request(ctx, by, ref)
	if err != nil {
		return Page{}, err
	}
	events, err := s.cfg.Requests.Timeline(ctx, by, ref)
	if err != nil {
		return Page{}, err
	}

	v := requestView{Req: req, Service: serviceOf(req.Kind), Events: events}
	typed := values(req.Form)
	for _, f := range v.Service.Fields {
		if val := typed.Get(f.Name); val != "" {
			v.Shown = append(v.Shown, shownField{
				Label: s.T(r, v.Service.key(f.Name)), Value: val})
		}
	}
	for _, f := range req.Files {
		v.Files = append(v.Files, fileRow{File: f, KB: (f.Size + 1023) / 1024})
	}
	if req.State == requests.StateNeedsInformation {
		for _, e := range events {
			if e.State == requests.StateNeedsInformation {
				v.Question = e.Note // the latest question wins
			}
		}
	}
	return Page{Title: s.T(r, "citizen.request_title", ref), Data: v}, nil
}

// answerRequest sends the citizen's answer to the office's question, with
// an optional file.
func (s *Server) answerRequest(w http.ResponseWriter, r *http.Request) error {
	ref, _, err := canonicalRef(w, r)
	if err != nil {
		return err
	}

	uploads, err := parseUpload(w, r, "files", 1)
	defer closeUploads(uploads)
	if err == nil {
		_, err = s.cfg.Requests.Answer(r.Context(), citizenActor(r), ref,
			r.PostFormValue("answer"), uploads)
	}
	if err != nil {
		switch sijil.KindOf(err) {
		case sijil.Invalid, sijil.TooLarge:
		default:
			return err // not the citizen's to fix here: another page says it
		}
		p, perr := s.requestPage(r, ref)
		if perr != nil {
			return perr
		}
		v := p.Data.(requestView)
		v.Problems, err = s.problems(r, err, "files")
		p.Data = v
		return s.showForm(w, r, "citizen_request.html", p, err)
	}

	http.Redirect(w, r, "/requests/"+ref+"?answered=1", http.StatusSeeOther)
	return nil
}

// downloadCertificate sends the issued certificate's PDF, named by its
// printed number.
func (s *Server) downloadCertificate(w http.ResponseWriter, r *http.Request) error {
	ref, ok, err := canonicalRef(w, r)
	if !ok {
		return err
	}
	req, pdf, err := s.cfg.Requests.CertificatePDF(r.Context(), citizenActor(r), ref)
	if err != nil {
		return err
	}
	defer pdf.Close()
	return s.sendAttachment(w, r, req.CertID+".pdf", requests.TypePDF, -1, pdf)
}

// openFile opens a supporting file of the request or ticket ref for by:
// RequestFile or TicketFile, which answer NotFound for another's.
type openFile func(ctx context.Context, by requests.Actor, ref, id string) (requests.File,
	io.ReadCloser, error)

// downloadFile serves the file {id} of the request or ticket {ref}.
func (s *Server) downloadFile(open openFile) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, ok, err := canonicalRef(w, r)
		if !ok {
			return err
		}
		f, body, err := open(r.Context(), citizenActor(r), ref, chi.URLParam(r, "id"))
		if err != nil {
			return err
		}
		defer body.Close()
		return s.sendAttachment(w, r, f.Name, f.ContentType, f.Size, body)
	}
}
