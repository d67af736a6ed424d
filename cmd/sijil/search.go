package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

func (e *env) search(ctx context.Context, args []string) error {
	fs := e.flags("search")
	data := dataFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per hit")
	limit := fs.Int("limit", 20, "most hits to print")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	query := strings.Join(fs.Args(), " ")

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	idx, err := a.index()
	if err != nil {
		return err
	}
	hits, total, err := idx.Search(ctx, query, *limit)
	if err != nil {
		return err
	}

	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, h := range hits {
			if err := enc.Encode(map[string]any{"record_id": h.RecordID, "page": h.Page,
				"score": h.Score, "snippet": h.Snippet}); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "%d hits\n", total)
	for _, h := range hits {
		// One hit a line: OCR snippets carry the page's line breaks.
		snippet := strings.Join(strings.Fields(h.Snippet), " ")
		fmt.Fprintf(e.stdout, "%s p.%d (%.3f)\t%s\n", h.RecordID, h.Page, h.Score, snippet)
	}
	return nil
}
