package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// uploadFields are the upload form's fields besides the file, in the
// names Update.Set reads.
var uploadFields = []string{"record_type", "reference", "title", "date", "names",
	"national_ids", "parcel", "plot", "neighbourhood", "street", "source", "restricted"}

// uploadView is the upload form: the record types, and after a refusal
// whether the file needs its PDF password.
type uploadView struct {
	Types        []string
	NeedPassword bool
	TextFields   []string // the fields typed in a text box
	FieldError   map[string]string
	MaxMiB       int64
}

// formSlack is what the upload form's fields may add to the file's bytes.
const formSlack = 64 << 10

// uploadTime bounds one upload, reading and OCR included: Tesseract
// takes seconds a page, and a thick register far more than the server's
// usual minute.
const uploadTime = 20 * time.Minute

func (s *Server) archiveUploadForm(w http.ResponseWriter, r *http.Request) error {
	s.show(w, r, http.StatusOK, "archive_upload.html", Page{Title: s.T(r, "archive.upload_title"),
		Data: s.uploadView()})
	return nil
}

func (s *Server) uploadView() uploadView {
	return uploadView{Types: archive.RecordTypes, TextFields: uploadFields[1:11],
		FieldError: map[string]string{},
		MaxMiB:     s.maxUpload() >> 20}
}

// maxUpload is the most bytes one scan may have, as the ingester checks.
func (s *Server) maxUpload() int64 {
	if n := s.cfg.Ingester.Limits.MaxBytes; n > 0 {
		return n
	}
	return archive.DefaultMaxBytes
}

// archiveUpload streams one scan through the real pipeline and goes to
// its record: the new one, or the one the same bytes already have. The
// form's fields come before the file, so that the file is read once,
// straight into the ingester, without spooling it here first.
func (s *Server) archiveUpload(w http.ResponseWriter, r *http.Request) error {
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(uploadTime)
	if err := rc.SetReadDeadline(deadline); err != nil {
		s.log.Warn("upload deadline", "err", err)
	}
	if err := rc.SetWriteDeadline(deadline); err != nil {
		s.log.Warn("upload deadline", "err", err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload()+formSlack)

	rec, existed, err := s.ingestUpload(r)
	done := "uploaded"
	switch {
	case err != nil && rec.ID != "":
		// Archived, but not indexed: the record is there to see, and
		// 'sijil reindex' makes search find it.
		s.log.Error("index uploaded record", "request_id",
			middleware.GetReqID(r.Context()), "record_id", rec.ID, "err", err)
		done = "unindexed"
	case err != nil:
		return s.uploadFailed(w, r, err)
	case existed:
		// The record keeps what it says; what the form said otherwise is
		// not lost silently.
		done = "existed"
		if m, err := uploadMetadata(r.PostForm); err == nil &&
			len(archive.Differences(m, rec)) > 0 {
			done = "existed_differs"
		}
	}

	// A new record's entry was written with its rows; a file archived
	// already changed nothing there but is an archivist's action all the same.
	if existed {
		err := s.auditArchive(r, "record.upload", "record", rec.ID,
			"uploaded again "+rec.Filename+", already archived")
		if err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/archive/records/"+url.PathEscape(rec.ID)+"?done="+done,
		http.StatusSeeOther)
	return nil
}

// ingestUpload reads the form's fields into the record's metadata, then
// hands the file part to the ingester. What was typed is kept in
// r.PostForm, so that a refusal shows the form filled again.
func (s *Server) ingestUpload(r *http.Request) (archive.Record, bool, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return archive.Record{}, false, sijil.Errorf(sijil.Invalid, "archive.no_file",
			"Choose the file to upload.")
	}
	r.PostForm = url.Values{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return archive.Record{}, false, sijil.Errorf(sijil.Invalid, "archive.no_file",
				"Choose the file to upload.")
		}
		if err != nil {
			return archive.Record{}, false, uploadReadError(err)
		}
		if part.FormName() == "file" {
			return s.ingestPart(r, &lastPart{part: part, rest: mr})
		}
		value, err := io.ReadAll(io.LimitReader(part, formSlack+1))
		if err != nil {
			return archive.Record{}, false, uploadReadError(err)
		}
		// A field past the limit is refused, never saved cut short.
		if len(value) > formSlack {
			return archive.Record{}, false, sijil.Errorf(sijil.TooLarge,
				"archive.field_too_long", "%s is longer than %d KiB; shorten it",
				part.FormName(), formSlack>>10)
		}
		r.PostForm.Set(part.FormName(), string(value))
	}
}

// ingestPart ingests the file part with the metadata in r.PostForm.
func (s *Server) ingestPart(r *http.Request, part *lastPart) (archive.Record, bool,
	error) {
	name := strings.TrimSpace(part.part.FileName())
	if name == "" {
		return archive.Record{}, false, sijil.Errorf(sijil.Invalid, "archive.no_file",
			"Choose the file to upload.")
	}
	meta, err := uploadMetadata(r.PostForm)
	if err != nil {
		return archive.Record{}, false, err
	}
	meta.Filename, meta.Actor = name, CurrentUser(r.Context()).Login
	meta.Origin = archive.WebUploadOrigin(name)
	meta.Audit = s.archiveAudit(r, "record.upload", "record", "uploaded "+name)

	ctx := r.Context()
	if pw := r.PostForm.Get("password"); pw != "" {
		ctx = archive.WithPDFPassword(ctx, pw)
	}
	body := &bodyReader{r: part}
	rec, existed, err := s.cfg.Ingester.Ingest(ctx, body, meta)
	if err != nil && body.err != nil {
		// The ingester failed because the body did: the sender's to fix.
		return rec, existed, uploadReadError(body.err)
	}
	return rec, existed, err
}

// uploadMetadata reads what the upload form says about the file; the
// error joins every field's refusal.
func uploadMetadata(form url.Values) (archive.Metadata, error) {
	var (
		up   archive.Update
		errs []error
	)
	for _, f := range uploadFields {
		value := strings.TrimSpace(form.Get(f))
		if f == "restricted" && value != "yes" {
			value = "no"
		}
		if value != "" {
			errs = append(errs, up.Set(f, value))
		}
	}
	var m archive.Metadata
	m.Apply(up)
	return m, errors.Join(errs...)
}

// errFieldAfterFile refuses a form whose description comes after its
// file: the file is read straight into the ingester with what came before
// it, so fields after it would be dropped without a word.
var errFieldAfterFile = sijil.Errorf(sijil.Invalid, "archive.field_after_file",
	"The form's fields came after its file and were not read; send them before the file.")

// lastPart reads the file part, and at its end makes sure nothing but the
// end of the form follows. The ingester reads to the end before it writes
// anything, so a refusal here leaves no record behind.
type lastPart struct {
	part *multipart.Part
	rest *multipart.Reader
}

func (l *lastPart) Read(p []byte) (int, error) {
	n, err := l.part.Read(p)
	if err != io.EOF {
		return n, err
	}
	next, err := l.rest.NextPart()
	switch {
	case err == io.EOF:
		return n, io.EOF
	case err != nil:
		return n, err
	}
	next.Close()
	return n, errFieldAfterFile
}

// bodyReader remembers why reading the request body failed, so that an
// upload cut short is told apart from a failure of the ingester's own.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// uploadReadError is the answer to a failure reading the request body: a
// body over the limit is named as the ingester names a file too large;
// any other is a form cut short or malformed, which can be sent again.
func uploadReadError(err error) error {
	if errors.Is(err, errFieldAfterFile) {
		return err
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return sijil.Errorf(sijil.TooLarge, "archive.file_too_large",
			"the file is larger than %d MiB, the most Sijil accepts; split it",
			tooBig.Limit>>20)
	}
	return sijil.Errorf(sijil.Invalid, "archive.bad_form",
		"The form could not be read; send it again.")
}

// uploadFailed shows the form again with the refusal, its field marked,
// and the password field when the PDF needs one.
func (s *Server) uploadFailed(w http.ResponseWriter, r *http.Request, err error) error {
	v := s.uploadView()
	key, _ := sijil.UserMessage(err)
	v.NeedPassword = key == "archive.pdf_password" || key == "archive.pdf_wrong_password"
	// Every field refused is marked at once: each try means choosing the
	// file again.
	sijil.EachJoined(err, func(err error) {
		if f := fieldOf(err); f != "" {
			v.FieldError[f] = s.userMessage(Lang(r.Context()), err)
		}
	})
	p := Page{Title: s.T(r, "archive.upload_title"), Data: v}
	if len(v.FieldError) > 1 {
		return s.showFormMessage(w, r, "archive_upload.html", p, err, s.T(r, "form.fix_fields"))
	}
	return s.showForm(w, r, "archive_upload.html", p, err)
}
