// Package index is Sijil's full-text search over the OCR text of archived
// pages. Arabic is folded the same way at index and query time (see Fold),
// so a clerk finds a page whatever the spelling, diacritics, digits or OCR
// controls. The index is derived data: it can be deleted and rebuilt from
// the database and the object store. It knows nothing of certificates.
package index

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/sijil-municipality/sijil"
)

// Limits on a search.
const (
	MaxQueryChars = 500  // longer queries are refused, not truncated
	MaxLimit      = 1000 // the most hits one Search returns
)

// Page is one page of an archived record, as the index receives it.
type Page struct {
	RecordID   string
	Number     int // from 1
	Text       string
	Filename   string
	RecordType string
	Reference  string
	Title      string

	// The fields below come from the manifest or the archivist, not OCR;
	// empty is allowed and simply never matches a filter on that field.
	Names         []string // owners and other parties
	Parcel        string
	Plot          string
	Neighbourhood string
	Street        string // as written on the record, Arabic or English
	Year          int    // the record's year; 0 when unknown
}

// Hit is a page that matched a search.
type Hit struct {
	RecordID string
	Page     int
	Score    float64

	// Snippet is the best-matching fragment of the page's text, plain
	// and as the page spells it, with "…" where it cuts the text.
	Snippet string

	// Marks are the words of Snippet the query found, in order, as byte
	// offsets into it: the page's own spelling of each, whatever the
	// clerk typed.
	Marks []Span

	// SnippetHTML is Snippet HTML-escaped, with each of Marks inside
	// <mark>; safe to put in a page as it is.
	SnippetHTML template.HTML
}

// Index is a bleve index of pages on disk. It is safe for concurrent use.
type Index struct {
	bleve bleve.Index

	// exact is set when the index has text_exact, which patterns need:
	// an index built before it answers the rest until rebuilt.
	exact bool

	// decades is set when the index has fieldDecade; an index built
	// before it counts decades from the numeric year, more slowly.
	decades bool

	// analysis is the analysisVersion the index was built with, "" for
	// one built before versions were recorded.
	analysis string
}

// analysisVersion numbers the way indexed text is analysed. A change that
// makes the same text give other tokens (a new fold, another stemming)
// raises it: the tokens of an index built before do not meet queries
// analysed the new way, so such an index is Outdated until rebuilt.
const analysisVersion = "5"

// analysisKey is where an index records its analysisVersion, in bleve's
// internal store beside the documents.
var analysisKey = []byte("sijil.analysis_version")

// Outdated reports whether the index was built with an older analysis
// than this build's, and that one: some spellings its pages hold go
// unfound until `sijil reindex` rebuilds it. "" is an index that predates
// the record of versions.
func (ix *Index) Outdated() (built string, outdated bool) {
	return ix.analysis, ix.analysis != analysisVersion
}

// lockWait is how long Open waits for another process to release the
// index before it fails: bleve's default waits for ever, so a search run
// during a long ingest hung silently instead of saying why.
const lockWait = "1s"

// runtimeConfig is what Open and create pass to the scorch engine.
func runtimeConfig() map[string]any { return map[string]any{"bolt_timeout": lockWait} }

// Open opens the index in dir, creating it (with the scorch engine) when
// dir holds none. Only one process may hold an index: when another does,
// Open fails after about a second.
func Open(dir string) (*Index, error) {
	if err := register(); err != nil {
		return nil, err
	}

	bi, err := bleve.OpenUsing(dir, runtimeConfig())
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) || isEmptyDir(dir) {
		bi, err = create(dir)
	}
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, sijil.Errorf(sijil.Conflict, "index.in_use",
			"The search index %s is held by another process, most likely a running "+
				"sijil serve: only one process may hold it. Stop that process first, "+
				"or search and upload through the portal it serves (/archive).", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("index: open %s: %w", dir, err)
	}
	exact := bi.Mapping().FieldMappingForPath(fieldTextExact).Analyzer == nameAnalyzerName
	decades := bi.Mapping().FieldMappingForPath(fieldDecade).Type == "text"
	analysis, err := bi.GetInternal(analysisKey)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("index: reading %s's analysis version: %w", dir, err),
			bi.Close())
	}
	return &Index{bleve: bi, exact: exact, decades: decades, analysis: string(analysis)}, nil
}

// isEmptyDir reports a folder made for the index but not yet filled, as
// a deployment script or t.TempDir leaves it.
func isEmptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 0
}

func create(dir string) (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}

	// bleve creates only the last folder of the path itself.
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return nil, err
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	bi, err := bleve.NewUsing(dir, m, scorch.Name, bleve.Config.DefaultKVStore, runtimeConfig())
	if err != nil {
		return nil, err
	}
	if err := bi.SetInternal(analysisKey, []byte(analysisVersion)); err != nil {
		return nil, errors.Join(fmt.Errorf("index: recording the analysis version: %w", err),
			bi.Close())
	}
	return bi, nil
}

// Close flushes and closes the index.
func (ix *Index) Close() error {
	if err := ix.bleve.Close(); err != nil {
		return fmt.Errorf("index: close: %w", err)
	}
	return nil
}

// pageDoc is a Page as bleve stores it; the json names are the fields.
type pageDoc struct {
	RecordID   string  `json:"record_id"`
	Page       float64 `json:"page"`
	Text       string  `json:"text"`
	Title      string  `json:"title"`
	Filename   string  `json:"filename"`
	RecordType string  `json:"record_type"`
	Reference  string  `json:"reference"`

	Names         []string `json:"names"`
	Parcel        string   `json:"parcel"`
	Plot          string   `json:"plot"`
	Neighbourhood string   `json:"neighbourhood"`
	Street        string   `json:"street"`
	Year          *float64 `json:"year"`   // nil leaves an unknown year out of facets
	Decade        string   `json:"decade"` // of Year, such as "1990..1999"; "" if unknown
}

// Add indexes p under the id RecordID/Number, replacing what was indexed
// under that id before.
func (ix *Index) Add(ctx context.Context, p Page) error {
	return ix.AddAll(ctx, []Page{p})
}

// AddAll indexes pages as Add does, in one batch: bulk import and rebuilds
// use it because each batch costs a disk sync, which dominates single Adds.
// Either all pages are indexed or, on error, none.
func (ix *Index) AddAll(ctx context.Context, pages []Page) error {
	batch := ix.bleve.NewBatch()
	for _, p := range pages {
		if p.RecordID == "" || p.Number < 1 {
			return fmt.Errorf("index: page %q/%d: need a record id and a number from 1",
				p.RecordID, p.Number)
		}
		doc := newPageDoc(p)
		if err := batch.Index(docID(p.RecordID, p.Number), doc); err != nil {
			return fmt.Errorf("index: add %s: %w", docID(p.RecordID, p.Number), err)
		}
	}

	if err := ctx.Err(); err != nil {
		return fmt.Errorf("index: add: %w", err)
	}
	if err := ix.bleve.Batch(batch); err != nil {
		return fmt.Errorf("index: add %d pages: %w", len(pages), err)
	}
	return nil
}

func newPageDoc(p Page) pageDoc {
	doc := pageDoc{
		RecordID: p.RecordID, Page: float64(p.Number), Text: p.Text, Title: p.Title,
		Filename: p.Filename, RecordType: p.RecordType, Reference: p.Reference,
		Names: p.Names, Parcel: p.Parcel, Plot: p.Plot, Neighbourhood: p.Neighbourhood,
		Street: p.Street,
	}
	if p.Year != 0 {
		year := float64(p.Year)
		doc.Year = &year
		doc.Decade = decadeName(p.Year - p.Year%10)
	}
	return doc
}

func docID(recordID string, page int) string {
	return recordID + "/" + strconv.Itoa(page)
}

// Search returns up to limit pages that match q, best first, and how
// many pages match in all (at most CountCap: see Result.Broad). q is in
// the clerk's query language described at Request; bleve's own query
// syntax is never interpreted. Errors are those of Query.
func (ix *Index) Search(ctx context.Context, q string, limit int) ([]Hit, uint64, error) {
	res, err := ix.Query(ctx, Request{Query: q, Limit: limit})
	if err != nil {
		return nil, 0, err
	}
	return res.Hits, res.Total, nil
}

// checkQuery trims q and refuses what Search cannot answer.
func checkQuery(q string, limit int) (string, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return "", errEmptyQuery()
	case utf8.RuneCountInString(q) > MaxQueryChars:
		return "", sijil.Errorf(sijil.Invalid, "search.query_too_long",
			"A search can be at most %d characters long.", MaxQueryChars)
	case limit < 1 || limit > MaxLimit:
		return "", sijil.Errorf(sijil.Invalid, "search.bad_limit",
			"Ask for between 1 and %d results.", MaxLimit)
	}
	return q, nil
}

func errEmptyQuery() error {
	return sijil.Errorf(sijil.Invalid, "search.empty_query", "Type words to search for.")
}

// toHit turns a bleve match into a Hit. The record id and page come from
// the stored fields, not from splitting the document id, because a record
// id may itself contain a slash.
func toHit(score float64, fields map[string]any, m *wordMatcher) Hit {
	h := Hit{Score: score}
	h.RecordID, _ = fields[fieldRecordID].(string)
	if n, ok := fields[fieldPage].(float64); ok {
		h.Page = int(n)
	}

	text, _ := fields[fieldText].(string)
	h.Snippet, h.Marks = m.snippet(text)
	h.SnippetHTML = markHTML(h.Snippet, h.Marks)
	return h
}

// markHTML escapes s for HTML and wraps each mark in <mark>. Escaping
// every piece of the page's text, never only the text between marks,
// keeps a "<script>" an OCR text or an archivist's edit may hold inert.
func markHTML(s string, marks []Span) template.HTML {
	var b strings.Builder
	last := 0
	for _, sp := range marks {
		b.WriteString(html.EscapeString(s[last:sp.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(s[sp.Start:sp.End]))
		b.WriteString("</mark>")
		last = sp.End
	}
	b.WriteString(html.EscapeString(s[last:]))
	return template.HTML(b.String()) //nolint:gosec // every piece of text is escaped above
}
