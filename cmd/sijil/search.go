package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sijil-municipality/sijil/index"
)

// search runs a clerk's query (words, "phrases", prefixes and wildcards
// such as بلد* or م?مد, field:value filters: see index.Request) and
// prints the hits, and with --facets the counts by record type and
// decade.
func (e *env) search(ctx context.Context, args []string) error {
	fs := e.flags("search")
	data := dataFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per hit")
	limit := fs.Int("limit", 20, "most hits to print")
	facets := fs.Bool("facets", false, "also print counts by record type and decade")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	req := index.Request{Query: strings.Join(fs.Args(), " "), Limit: *limit, Facets: *facets}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	idx, err := a.index()
	if err != nil {
		return err
	}
	res, err := idx.Query(ctx, req)
	if err != nil {
		return err
	}

	if *asJSON {
		return printSearchJSON(e.stdout, res)
	}
	printSearch(e.stdout, res)
	return nil
}

// printSearchJSON prints one object per hit and, when facets were asked
// for and counted, one last object holding them.
func printSearchJSON(w io.Writer, res index.Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, h := range res.Hits {
		// marks are byte offsets of the found words in snippet.
		marks := append([]index.Span{}, h.Marks...)
		if err := enc.Encode(map[string]any{"record_id": h.RecordID, "page": h.Page,
			"score": h.Score, "snippet": h.Snippet, "marks": marks}); err != nil {
			return fmt.Errorf("search: print hit: %w", err)
		}
	}
	if res.Facets == nil {
		return nil
	}
	// Empty lists, not null, so that a script can loop over them.
	facets := map[string][]index.FacetCount{
		"record_type": append([]index.FacetCount{}, res.Facets.RecordType...),
		"decade":      append([]index.FacetCount{}, res.Facets.Decade...),
	}
	out := map[string]any{"facets": facets, "approximate": res.Facets.Approximate}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("search: print facets: %w", err)
	}
	return nil
}

func printSearch(w io.Writer, res index.Result) {
	if res.Broad {
		fmt.Fprintf(w, "more than %d hits: add a word or a filter to rank them\n", res.Total)
	} else {
		fmt.Fprintf(w, "%d hits\n", res.Total)
	}
	for _, h := range res.Hits {
		// One hit a line: OCR snippets carry the page's line breaks.
		snippet := strings.Join(strings.Fields(h.Snippet), " ")
		// Scores are relative and often tiny: %.3g keeps them readable.
		fmt.Fprintf(w, "%s p.%d (%.3g)\t%s\n", h.RecordID, h.Page, h.Score, snippet)
	}
	if res.Facets == nil {
		return
	}
	if res.Facets.Approximate {
		fmt.Fprintf(w, "counts of the first %d hits only:\n", index.CountCap)
	}
	printFacet(w, "record type", res.Facets.RecordType)
	printFacet(w, "decade", res.Facets.Decade)
}

func printFacet(w io.Writer, name string, counts []index.FacetCount) {
	fmt.Fprintf(w, "%s:\n", name)
	for _, c := range counts {
		value := c.Value
		if value == "" {
			value = "(none)" // records archived without this field
		}
		fmt.Fprintf(w, "  %s\t%d\n", value, c.Count)
	}
}
