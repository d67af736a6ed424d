package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/requests"
)

// The draft form has no script: its page-changing buttons (search, link a
// record, unlink, more floor rows) post the whole form to the request's
// redraw route, which draws the page again from the form with "drafting"
// set and saves nothing, so that nothing typed is lost. They post, not
// get: the form holds the holder's national ID, which a query would leave
// in the browser's history, proxy logs and the Referer of every image.

// Floor rows: how many the form offers at first, how many "add rows" adds,
// and the most it offers.
const (
	floorRows     = 6
	moreFloorRows = 4
	maxFloorRows  = 40
)

// searchLimit is how many archive pages the request page lists.
const searchLimit = 10

// clerkDraft is the draft form as the page draws it.
type clerkDraft struct {
	Kind     requests.Kind
	Links    []clerkLink
	Building *requests.BuildingDraft // Floors padded to Rows
	Craft    *requests.CraftDraft
	Copy     *requests.CopyDraft
	FromYear string // the craft's years as typed
	ToYear   string
	Rows     int
	MoreRows int
	Inputs   []clerkInput // set by the page once the problems are known

	// FloorRows are the building's floors as numbered rows of the form.
	FloorRows []clerkFloor
}

type clerkFloor struct {
	N int // from 1
	requests.FloorDraft
}

// clerkLink is a linked record with what the archive says of it.
type clerkLink struct {
	RecordID string
	Pages    string          // as the clerk typed them: "1, 3"
	Record   *archive.Record // nil when the archive cannot say

	// Shown are the pages whose images the page shows: those linked, or
	// the first few of a record linked whole.
	Shown []int
}

// shownPages bounds the images shown of a record linked whole.
const shownPages = 4

// clerkSearch is the archive search on the request page.
type clerkSearch struct {
	Query string
	Hits  []clerkHit
	Total uint64
	Broad bool
	Error string
}

type clerkHit struct {
	index.Hit
	Record *archive.Record
	Linked bool

	// Hidden is set, and the snippet blanked, when the record is
	// restricted or the archive cannot say whether it is.
	Hidden bool
}

// clerkFieldError is a problem the page itself finds in the draft (a page
// number or a year that is not a number), tied to its field.
type clerkFieldError struct {
	Field string
	Err   *sijil.Error
}

func (e clerkFieldError) Error() string { return e.Err.Error() }

func (e clerkFieldError) Unwrap() error { return e.Err }

func fieldError(field, key, msg string) error {
	return clerkFieldError{field, sijil.Errorf(sijil.Invalid, key, "%s", msg)}
}

// draftFieldErrors maps the fields of the page's own problems in err.
func draftFieldErrors(err error) map[string]*sijil.Error {
	out := map[string]*sijil.Error{}
	sijil.EachJoined(err, func(err error) {
		var fe clerkFieldError
		if errors.As(err, &fe) {
			out[fe.Field] = fe.Err
		}
	})
	return out
}

// draftFrom is the draft the page shows: the query's, when the clerk is
// drafting, else the request's starting draft for the citizen who made
// it. The error is the query's problems, shown next to their fields.
func (s *Server) draftFrom(ctx context.Context, req requests.Request, citizen accounts.User,
	v url.Values) (clerkDraft, error) {
	var d requests.Draft
	var err error
	if v.Get("drafting") != "" {
		d, err = readDraft(req.Kind, v)
	} else {
		d = req.StartingDraft(requests.Holder{Name: citizen.FullName,
			NationalID: citizen.NationalID})
	}
	return s.draftView(ctx, req.Kind, d, v), err
}

// readDraft reads the draft form, with the link or unlink its button
// asked for applied.
func readDraft(kind requests.Kind, v url.Values) (requests.Draft, error) {
	var d requests.Draft
	var errs []error
	recs, pages := v["link_record"], v["link_pages"]
	for i, id := range recs {
		id = strings.TrimSpace(id)
		if id == "" || v.Get("remove") == id {
			continue
		}
		var ps string
		if i < len(pages) {
			ps = pages[i]
		}
		nums, err := parsePages(ps)
		if err != nil {
			errs = append(errs, err)
		}
		d.Records = append(d.Records, requests.RecordLink{RecordID: id, Pages: nums})
	}
	if add := v.Get("add"); add != "" {
		d.Records = addLink(d.Records, add)
	}

	field := func(name string) string { return strings.TrimSpace(v.Get("draft_" + name)) }
	switch kind {
	case requests.KindBuilding:
		b := &requests.BuildingDraft{HolderName: field("holder_name"),
			HolderID: field("holder_id"), Parcel: field("parcel"), Plot: field("plot"),
			Neighbourhood: field("neighbourhood"), Street: field("street"),
			ZoningStatus: field("zoning_status"), AsOf: field("as_of")}
		levels, areas, uses := v["floor_level"], v["floor_area"], v["floor_use"]
		for i := range levels {
			f := requests.FloorDraft{Level: strings.TrimSpace(levels[i]),
				AreaM2: strings.TrimSpace(at(areas, i)), Use: strings.TrimSpace(at(uses, i))}
			if f != (requests.FloorDraft{}) {
				f.AreaM2 = sijil.NormalizeDigits(f.AreaM2)
				b.Floors = append(b.Floors, f)
			}
		}
		d.Building = b
	case requests.KindCraft:
		c := &requests.CraftDraft{ShopName: field("shop_name"), LicenceNo: field("licence_no"),
			HolderName: field("holder_name"), HolderID: field("holder_id"),
			Neighbourhood: field("neighbourhood"), Street: field("street"),
			Activity: field("activity")}
		var err error
		if c.FromYear, err = parseYear("draft_from_year", field("from_year")); err != nil {
			errs = append(errs, err)
		}
		if c.ToYear, err = parseYear("draft_to_year", field("to_year")); err != nil {
			errs = append(errs, err)
		}
		d.Craft = c
	case requests.KindCopy:
		d.Copy = &requests.CopyDraft{HolderName: field("holder_name"),
			HolderID: field("holder_id")}
	}
	// The issuer's check at submission refuses a bad ID too; the page's own
	// says what is wrong with it: a digit mistyped.
	if id := field("holder_id"); id != "" && !sijil.ValidNationalID(sijil.NormalizeDigits(id)) {
		errs = append(errs, fieldError("draft_holder_id", "clerk.national_id_invalid",
			"This national ID's check digit does not match: check each digit."))
	}
	return d, errors.Join(errs...)
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

// addLink links the record of "rec_x" or the page of "rec_x:3", adding
// the page to the record's pages when it is linked already.
func addLink(links []requests.RecordLink, add string) []requests.RecordLink {
	id, pageText, _ := strings.Cut(add, ":")
	page, _ := strconv.Atoi(pageText)
	for i := range links {
		if links[i].RecordID == id {
			if page > 0 && !slices.Contains(links[i].Pages, page) {
				links[i].Pages = append(links[i].Pages, page)
				slices.Sort(links[i].Pages)
			}
			return links
		}
	}
	l := requests.RecordLink{RecordID: id}
	if page > 0 {
		l.Pages = []int{page}
	}
	return append(links, l)
}

// parsePages reads "1, 3 5" (any digits) as page numbers.
func parsePages(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(sijil.NormalizeDigits(s), func(r rune) bool {
		return r == ',' || r == '،' || r == ' '
	}) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fieldError("draft_records", "clerk.pages_invalid",
				"Write the page numbers as numbers from 1, separated by commas.")
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func parseYear(field, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(sijil.NormalizeDigits(s))
	if err != nil || n < 1000 || n > 9999 {
		return 0, fieldError(field, "clerk.year_invalid", "Write the year in four digits.")
	}
	return n, nil
}

// draftView is d as the form draws it, with the floor rows padded and
// what the archive says of each linked record.
func (s *Server) draftView(ctx context.Context, kind requests.Kind, d requests.Draft,
	v url.Values) clerkDraft {
	cd := clerkDraft{Kind: kind, Craft: d.Craft, Copy: d.Copy}
	for _, l := range d.Records {
		var pages []string
		for _, p := range l.Pages {
			pages = append(pages, strconv.Itoa(p))
		}
		cl := clerkLink{RecordID: l.RecordID, Pages: strings.Join(pages, ", "),
			Record: s.record(ctx, l.RecordID), Shown: l.Pages}
		if cl.Record != nil && len(cl.Shown) == 0 {
			for n := 1; n <= min(cl.Record.PageCount, shownPages); n++ {
				cl.Shown = append(cl.Shown, n)
			}
		}
		if cl.Record == nil || cl.Record.Restricted {
			cl.Shown = nil
		}
		cd.Links = append(cd.Links, cl)
	}

	if d.Building != nil {
		b := *d.Building
		rows := floorRows
		for _, n := range v["rows"] {
			if k, err := strconv.Atoi(n); err == nil {
				rows = max(rows, min(k, maxFloorRows))
			}
		}
		rows = max(rows, len(b.Floors))
		b.Floors = append(slices.Clone(b.Floors), make([]requests.FloorDraft,
			rows-len(b.Floors))...)
		cd.Building, cd.Rows, cd.MoreRows = &b, rows, min(rows+moreFloorRows, maxFloorRows)
		for i, f := range b.Floors {
			cd.FloorRows = append(cd.FloorRows, clerkFloor{i + 1, f})
		}
	}
	if d.Craft != nil {
		cd.FromYear, cd.ToYear = yearText(d.Craft.FromYear), yearText(d.Craft.ToYear)
		if v.Get("drafting") != "" {
			cd.FromYear = v.Get("draft_from_year")
			cd.ToYear = v.Get("draft_to_year")
		}
	}
	return cd
}

func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// record is what the archive says of a record, or nil. It reads the row
// only, not the pages: a list of results or links is no view of the
// record's content, which the archivist's viewer audits.
func (s *Server) record(ctx context.Context, id string) *archive.Record {
	if s.cfg.Archive == nil || id == "" {
		return nil
	}
	rec, err := s.cfg.Archive.RecordByID(ctx, id)
	if err != nil {
		if sijil.KindOf(err) != sijil.NotFound {
			s.log.Warn("read linked record", "record_id", id, "err", err)
		}
		return nil
	}
	return &rec
}

// search runs the clerk's archive search, if any; its failure is shown in
// place of the results, not instead of the page.
func (s *Server) search(r *http.Request, q string, d clerkDraft) clerkSearch {
	out := clerkSearch{Query: strings.TrimSpace(q)}
	if out.Query == "" {
		return out
	}
	if s.cfg.Search == nil {
		out.Error = s.T(r, "clerk.search_unavailable")
		return out
	}
	res, err := s.cfg.Search.Query(r.Context(), index.Request{Query: out.Query,
		Limit: searchLimit})
	if err != nil {
		s.logFailure(r, statusFor(err), err)
		out.Error = s.userMessage(Lang(r.Context()), err)
		return out
	}
	out.Total, out.Broad = res.Total, res.Broad
	recs := map[string]*archive.Record{}
	for _, h := range res.Hits {
		if _, ok := recs[h.RecordID]; !ok {
			recs[h.RecordID] = s.record(r.Context(), h.RecordID)
		}
		linked := slices.ContainsFunc(d.Links, func(l clerkLink) bool {
			return l.RecordID == h.RecordID
		})
		hit := clerkHit{Hit: h, Record: recs[h.RecordID], Linked: linked}
		// A restricted page's text is seen only through its page, whose
		// views are audited; a record unread may be restricted too.
		if rec := hit.Record; rec == nil || rec.Restricted {
			hit.Snippet, hit.SnippetHTML, hit.Marks, hit.Hidden = "", "", nil, true
		}
		out.Hits = append(out.Hits, hit)
	}
	return out
}

// officeSubmitDraft sends the clerk's draft for approval.
func (s *Server) officeSubmitDraft(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "ref")
	if err := r.ParseForm(); err != nil {
		return errUnreadable()
	}
	r.PostForm.Set("drafting", "1")
	// The draft is read as the request's own kind, never the form's: a
	// form edited or left from another request must not change it.
	by := actorOf(CurrentUser(r.Context()))
	req, err := s.cfg.Requests.Request(r.Context(), by, ref)
	if err != nil {
		return err
	}
	d, err := readDraft(req.Kind, r.PostForm)
	if err == nil {
		_, err = s.cfg.Requests.SubmitDraft(r.Context(), by, ref, d)
	}
	if err == nil {
		http.Redirect(w, r, "/office/requests/"+url.PathEscape(ref)+"?done=drafted",
			http.StatusSeeOther)
		return nil
	}
	if k := sijil.KindOf(err); k == sijil.Internal || k == sijil.NotFound {
		return err
	}
	return s.showOfficeRequest(w, r, statusFor(err), ref, r.PostForm, err, "draft")
}

// clerkInput is one text field of the draft form, labelled, with its value
// and its problem.
type clerkInput struct {
	Name  string // the form field: draft_<name>
	Label string
	Hint  string
	Value string
	Error string
	Wide  bool // a longer text: a row of its own
}

// draftInputs lists the draft's fields for its kind, in the order of the
// certificate, with their problems from errs.
func (s *Server) draftInputs(r *http.Request, d clerkDraft,
	errs map[string]string) []clerkInput {
	var out []clerkInput
	add := func(name, value string) {
		label := "clerk.draft_" + name
		out = append(out, clerkInput{Name: "draft_" + name,
			Label: s.T(r, label), Value: value, Error: errs["draft_"+name],
			Wide: name == "zoning_status" || name == "activity"})
	}
	switch {
	case d.Building != nil:
		b := d.Building
		add("holder_name", b.HolderName)
		add("holder_id", b.HolderID)
		add("parcel", b.Parcel)
		add("plot", b.Plot)
		add("neighbourhood", b.Neighbourhood)
		add("street", b.Street)
		add("zoning_status", b.ZoningStatus)
		add("as_of", b.AsOf)
		out[len(out)-1].Hint = s.T(r, "clerk.hint_date")
	case d.Craft != nil:
		c := d.Craft
		add("shop_name", c.ShopName)
		add("licence_no", c.LicenceNo)
		add("holder_name", c.HolderName)
		add("holder_id", c.HolderID)
		add("neighbourhood", c.Neighbourhood)
		add("street", c.Street)
		add("activity", c.Activity)
		add("from_year", d.FromYear)
		add("to_year", d.ToYear)
	case d.Copy != nil:
		add("holder_name", d.Copy.HolderName)
		add("holder_id", d.Copy.HolderID)
		out[0].Hint = s.T(r, "clerk.hint_optional")
		out[1].Hint = out[0].Hint
	}
	return out
}
