package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

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
// message is not said twice. A refused file is the problem of the file
// input named files.
func (s *Server) problems(r *http.Request, err error, files string) (map[string]string,
	error) {
	out := map[string]string{}
	for name, e := range requests.FieldErrors(err) {
		out[name] = s.userMessage(Lang(r.Context()), e)
	}
	if key, _ := sijil.UserMessage(err); files != "" && isFileKey(key) {
		out[files] = s.userMessage(Lang(r.Context()), err)
	}
	if len(out) == 0 {
		return out, err
	}
	return out, sijil.Errorf(sijil.KindOf(err), "citizen.check_fields",
		"Check the fields marked below: %w", err)
}

// isFileKey reports whether an error key says what is wrong with a file.
func isFileKey(key string) bool {
	for _, prefix := range []string{"requests.file_", "requests.files_", "requests.image_",
		"citizen.upload_"} {
		if strings.HasPrefix(key, prefix) {
			return true
		}
	}
	return false
}
