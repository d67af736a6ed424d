package certstest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/certs"
)

// Ingest archives a scan for real, Tesseract included, in the office's
// database and blob folder, and returns its record. The office's Issuer
// makes certified copies of such records.
func (o *Office) Ingest(tb testing.TB, scan []byte, meta archive.Metadata) archive.Record {
	tb.Helper()
	in := &archive.Ingester{Blobs: o.Blobs, DB: o.DB, Index: noIndex{}, Workers: 1,
		TempDir: tb.TempDir()}
	rec, _, err := in.Ingest(context.Background(), bytes.NewReader(scan), meta)
	must(tb, err)
	return rec
}

type noIndex struct{}

func (noIndex) IndexPages(context.Context, []archive.PageText) error { return nil }

// archivePages reads archived records for certified copies, as cmd/sijil
// wires it.
type archivePages struct {
	store  *archive.Store
	images *archive.Ingester
}

func (a archivePages) RecordForCopy(ctx context.Context, id string) (certs.CopySource, error) {
	rec, err := a.store.RecordByID(ctx, id)
	if err != nil {
		return certs.CopySource{}, err
	}
	pages, err := a.store.Pages(ctx, id)
	if err != nil {
		return certs.CopySource{}, err
	}
	src := certs.CopySource{ID: rec.ID, SHA256: rec.SHA256, Filename: rec.Filename,
		Reference: rec.Reference, RecordType: rec.RecordType, ArchivedAt: rec.CreatedAt}
	for _, p := range pages {
		img, err := a.images.CertifiablePage(ctx, rec.SHA256, p.Number)
		if err != nil {
			return certs.CopySource{}, fmt.Errorf("page %d of %s: %w", p.Number, id, err)
		}
		src.Pages = append(src.Pages, img)
	}
	return src, nil
}
