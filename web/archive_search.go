package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

// hitsPerPage is how many results one page of a search shows.
const hitsPerPage = 20

// searchView is the search page: the query, one page of its hits, the
// facets as links that narrow it, and the links to the pages around.
type searchView struct {
	Outdated    bool // the index was built by an older analysis: rebuild it
	Query       string
	Hits        []hitView
	Total       uint64
	Broad       bool
	Near        uint64 // of Total, the pages found by a near spelling only
	Approximate bool
	Types       []facetLink
	Decades     []facetLink
	From, To    int    // the hits shown, counted from 1
	Prev, Next  string // links to the pages around; "" when there is none
}

// hitView is one result: the page that matched and what its record is.
type hitView struct {
	Rec     archive.Record
	Page    int
	Snippet template.HTML
	Link    string // the record page, with the query, at this page
}

// facetLink is one facet value with its count and the narrowed search.
type facetLink struct {
	Value string
	Count int
	Link  string
}

// archiveSearch runs the clerk's query language over the index. A query
// the index refuses is shown with its message above the form, so that
// the archivist can change it.
func (s *Server) archiveSearch(w http.ResponseWriter, r *http.Request) error {
	p := Page{Title: s.T(r, "archive.search_title")}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	// Past the last page the index can rank there is nothing to show.
	page = min(max(page, 1), index.MaxLimit/hitsPerPage+1)
	v := searchView{Query: q}
	if s.cfg.Search != nil {
		_, v.Outdated = s.cfg.Search.Outdated()
	}
	p.Data = &v
	if q == "" || s.cfg.Search == nil {
		s.show(w, r, http.StatusOK, "archive_search.html", p)
		return nil
	}

	limit := min(page*hitsPerPage, index.MaxLimit)
	res, err := s.cfg.Search.Query(r.Context(), index.Request{Query: q, Limit: limit,
		Facets: true})
	if err != nil {
		switch sijil.KindOf(err) {
		case sijil.Invalid, sijil.Unavailable:
			status := statusFor(err)
			s.logFailure(r, status, err)
			p.Error = s.userMessage(Lang(r.Context()), err)
			if Lang(r.Context()) == langEN {
				// The index's own words name the part of the query at
				// fault ("colour:"); the catalog's cannot.
				_, p.Error = sijil.UserMessage(err)
			}
			s.show(w, r, status, "archive_search.html", p)
			return nil
		}
		return err
	}

	if err := s.fillSearch(r, &v, res, page, limit); err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "archive_search.html", p)
	return nil
}

// fillSearch puts one page of res into v, with the records of its hits.
func (s *Server) fillSearch(r *http.Request, v *searchView, res index.Result, page,
	limit int) error {
	v.Total, v.Broad, v.Near = res.Total, res.Broad, res.Near
	first := (page - 1) * hitsPerPage
	if first < len(res.Hits) {
		hits := res.Hits[first:min(first+hitsPerPage, len(res.Hits))]
		v.From, v.To = first+1, first+len(hits)
		for _, h := range hits {
			rec, err := s.cfg.Archive.RecordByID(r.Context(), h.RecordID)
			if sijil.KindOf(err) == sijil.NotFound {
				continue // indexed, then gone: the index is rebuilt later
			}
			if err != nil {
				return err
			}
			v.Hits = append(v.Hits, hitView{Rec: rec, Page: h.Page, Snippet: h.SnippetHTML,
				Link: s.recordLink(rec.ID, v.Query, screenOf(h.Page)) + "#page-" +
					strconv.Itoa(h.Page)})
		}
	}
	if page > 1 {
		v.Prev = searchLink(v.Query, page-1)
	}
	if uint64(page*hitsPerPage) < res.Total && limit < index.MaxLimit {
		v.Next = searchLink(v.Query, page+1)
	}
	if f := res.Facets; f != nil {
		v.Approximate = f.Approximate
		v.Types = facetLinks(v.Query, "type:", f.RecordType)
		v.Decades = facetLinks(v.Query, "year:", f.Decade)
	}
	return nil
}

// facetLinks turns a facet's counts into searches narrowed by its field.
// Pages with no value for the field get no link: no filter finds them.
func facetLinks(q, field string, counts []index.FacetCount) []facetLink {
	var out []facetLink
	for _, c := range counts {
		fl := facetLink{Value: c.Value, Count: c.Count}
		if c.Value != "" && !strings.Contains(q, field+c.Value) {
			fl.Link = searchLink(q+" "+field+c.Value, 1)
		}
		out = append(out, fl)
	}
	return out
}

func searchLink(q string, page int) string {
	v := url.Values{"q": {q}}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/archive/search?" + v.Encode()
}
