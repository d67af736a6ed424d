package index

import (
	"context"

	"github.com/sijil-municipality/sijil/archive"
)

// Archive adapts an Index to the interfaces through which archive hands
// over its pages (archive.Indexer at ingest and after a correction,
// archive.IndexBuilder in a rebuild), so that archive needs nothing of
// this package.
type Archive struct{ *Index }

// IndexPages implements archive.Indexer and archive.IndexBuilder: the
// pages in one batch.
func (a Archive) IndexPages(ctx context.Context, pages []archive.PageText) error {
	batch := make([]Page, len(pages))
	for i, p := range pages {
		batch[i] = FromArchive(p)
	}
	return a.AddAll(ctx, batch)
}

// FromArchive is an archive page as the index takes it, at ingest, after a
// correction and in a rebuild alike.
func FromArchive(p archive.PageText) Page {
	return Page{RecordID: p.RecordID, Number: p.Number, Text: p.Text,
		Filename: p.Filename, RecordType: p.RecordType, Reference: p.Reference,
		Title: p.Title, Names: p.Names, Parcel: p.Parcel, Plot: p.Plot,
		Neighbourhood: p.Neighbourhood, Street: p.Street, Year: p.Year}
}
