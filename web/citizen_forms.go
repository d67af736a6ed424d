package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

// service is one of the three services as the citizen's pages offer it:
// the short name in its URL, and the fields of its form in page order.
// Field names are the json names of the requests form, so that a form
// is filled from the posted values and shown back through one mapping.
type service struct {
	Slug   string // in /requests/new/{kind}
	Kind   requests.Kind
	Fields []fieldSpec
	form   func() requests.Form
}

// fieldSpec is one field of a service's form. Its label is the catalog's
// "citizen.<slug>_<name>", its hint "citizen.<slug>_<name>_hint" when
// Hint is set.
type fieldSpec struct {
	Name     string
	Required bool
	Either   bool // one of a pair is needed (parcel or plot): not marked optional
	Hint     bool
	Long     bool // a textarea
	Number   bool // a reference, parcel or licence number: typed left to right
	Year     bool // a year: a numeric keyboard
}

var services = []service{
	{Slug: "copy", Kind: requests.KindCopy, form: func() requests.Form {
		return &requests.CopyForm{}
	}, Fields: []fieldSpec{
		{Name: "document_type", Required: true, Hint: true},
		{Name: "reference_no", Hint: true, Number: true},
		{Name: "approx_year", Hint: true, Year: true},
		{Name: "parties", Required: true, Hint: true},
		{Name: "description", Hint: true, Long: true},
	}},
	{Slug: "building", Kind: requests.KindBuilding, form: func() requests.Form {
		return &requests.BuildingForm{}
	}, Fields: []fieldSpec{
		{Name: "parcel", Either: true, Hint: true, Number: true},
		{Name: "plot", Either: true, Hint: true, Number: true},
		{Name: "neighbourhood", Required: true},
		{Name: "street"},
		{Name: "owner", Required: true, Hint: true},
		{Name: "approx_year", Hint: true, Year: true},
		{Name: "purpose", Hint: true},
	}},
	{Slug: "craft", Kind: requests.KindCraft, form: func() requests.Form {
		return &requests.CraftForm{}
	}, Fields: []fieldSpec{
		{Name: "shop_address", Required: true, Hint: true},
		{Name: "trade", Required: true, Hint: true},
		{Name: "licence_no", Hint: true, Number: true},
		{Name: "holder", Required: true, Hint: true},
		{Name: "from_year", Hint: true, Year: true},
		{Name: "to_year", Hint: true, Year: true},
	}},
}

// serviceBySlug finds the service of a /requests/new/{kind} URL.
func serviceBySlug(slug string) (service, error) {
	i := slices.IndexFunc(services, func(s service) bool { return s.Slug == slug })
	if i < 0 {
		return service{}, sijil.Errorf(sijil.NotFound, "web.not_found", "There is no such page.")
	}
	return services[i], nil
}

// serviceOf is the service of a request's kind.
func serviceOf(k requests.Kind) service {
	i := slices.IndexFunc(services, func(s service) bool { return s.Kind == k })
	if i < 0 {
		return service{Kind: k}
	}
	return services[i]
}

// key is the catalog key of one of the service's texts: its title, intro,
// or a field's label.
func (sv service) key(name string) string { return "citizen." + sv.Slug + "_" + name }

// fill makes the service's form from the posted values.
func (sv service) fill(v url.Values) (requests.Form, error) {
	m := map[string]string{}
	for _, f := range sv.Fields {
		m[f.Name] = v.Get(f.Name)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	form := sv.form()
	if err := json.Unmarshal(b, form); err != nil {
		return nil, fmt.Errorf("web: fill the %s form: %w", sv.Slug, err)
	}
	return form, nil
}

// values reads a stored form back into the names of its fields.
func values(f requests.Form) url.Values {
	out := url.Values{}
	if f == nil {
		return out
	}
	b, err := json.Marshal(f)
	if err != nil {
		return out
	}
	var m map[string]string
	if json.Unmarshal(b, &m) != nil {
		return out
	}
	for k, v := range m {
		out.Set(k, v)
	}
	return out
}

// field is one field as a form page draws it.
type field struct {
	fieldSpec
	Label, HintText, Value, Error string
}

// fields lays out the service's form with what was typed and each field's
// problem, translated.
func (s *Server) fields(r *http.Request, sv service, typed url.Values,
	problems map[string]string) []field {
	var out []field
	for _, f := range sv.Fields {
		key := sv.key(f.Name)
		fl := field{fieldSpec: f, Label: s.T(r, key), Value: typed.Get(f.Name),
			Error: problems[f.Name]}
		if f.Hint {
			fl.HintText = s.T(r, key+"_hint")
		}
		out = append(out, fl)
	}
	return out
}

// problems translates the field problems in err; with any, err becomes a
// form-wide "check the fields marked" above the form, so that the same
// message is not said twice.
func (s *Server) problems(r *http.Request, err error) (map[string]string, error) {
	out := map[string]string{}
	for name, e := range requests.FieldErrors(err) {
		out[name] = s.userMessage(Lang(r.Context()), e)
	}
	if len(out) == 0 {
		return out, err
	}
	return out, sijil.Errorf(sijil.Invalid, "citizen.check_fields",
		"Check the fields marked below: %w", err)
}

// The bounds of a form with files: the files the service takes, and room
// for the fields and the multipart framing. Past maxUploadMemory, parts
// go to temporary files, which keeps a few uploads at once within the
// server's memory budget.
const (
	maxFormFields   = 64 << 10
	maxUploadMemory = 1 << 20
)

// parseUpload reads a form with up to max files in the file input name,
// refusing a body larger than those files can be before reading it. The
// caller closes the uploads with closeUploads.
func parseUpload(w http.ResponseWriter, r *http.Request, name string,
	max int) ([]requests.Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, int64(max)*requests.MaxFileBytes+maxFormFields)
	if err := r.ParseMultipartForm(maxUploadMemory); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, sijil.Errorf(sijil.TooLarge, "citizen.upload_too_large",
				"The files are too large: each may be at most %d MB.",
				requests.MaxFileBytes>>20)
		}
		if errors.Is(err, http.ErrNotMultipart) {
			// A form with no file input, as the authorization test sends.
			return nil, r.ParseForm()
		}
		return nil, sijil.Errorf(sijil.Invalid, "citizen.upload_unreadable",
			"The form could not be read; send it again.")
	}
	var out []requests.Upload
	for _, h := range r.MultipartForm.File[name] {
		if h.Size == 0 && h.Filename == "" {
			continue // the file input left empty
		}
		if len(out) == max {
			closeUploads(r, out)
			return nil, sijil.Errorf(sijil.Invalid, "requests.files_too_many",
				"Attach at most %d files.", max)
		}
		f, err := h.Open()
		if err != nil {
			closeUploads(r, out)
			return nil, fmt.Errorf("web: open upload: %w", err)
		}
		out = append(out, requests.Upload{Name: h.Filename, Body: f})
	}
	return out, nil
}

// closeUploads closes the uploads' files and removes the form's
// temporary files: the server removes them only for the request it made,
// not for the copies middleware hands on.
func closeUploads(r *http.Request, us []requests.Upload) {
	for _, u := range us {
		if c, ok := u.Body.(multipart.File); ok {
			c.Close()
		}
	}
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// download sends a stored file as an attachment named name: it is never
// shown inline, so that nothing a citizen uploaded runs in the portal's
// origin.
func download(w http.ResponseWriter, ctype, name string, body io.Reader) error {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": name}))
	h.Set("Cache-Control", "private, no-store")
	_, err := io.Copy(w, body)
	return err
}
