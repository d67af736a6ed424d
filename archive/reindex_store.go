package archive

import (
	"context"
	"fmt"
)

// pageCursor is the last page a batch read: the next batch starts after it.
type pageCursor struct {
	recordID string
	number   int
}

func (s *Store) countPages(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pages`).Scan(&n); err != nil {
		return 0, fmt.Errorf("archive: counting pages: %w", err)
	}
	return n, nil
}

// pageTextsAfter returns up to limit pages after the cursor with their
// records' metadata. Paging by key, not OFFSET, keeps each batch as cheap
// as the first at a million pages.
func (s *Store) pageTextsAfter(ctx context.Context, after pageCursor, limit int) (
	[]PageText, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.record_id, p.number, p.text,
		r.filename, r.record_type, r.reference, r.title, r.names, r.parcel, r.plot,
		r.neighbourhood, r.street, r.record_year
		FROM pages p JOIN records r ON r.id = p.record_id
		WHERE p.record_id > $1 OR (p.record_id = $1 AND p.number > $2)
		ORDER BY p.record_id, p.number LIMIT $3`, after.recordID, after.number, limit)
	if err != nil {
		return nil, fmt.Errorf("archive: reading pages to index: %w", err)
	}
	defer rows.Close()

	var pages []PageText
	for rows.Next() {
		var (
			p     PageText
			names string
		)
		err := rows.Scan(&p.RecordID, &p.Number, &p.Text, &p.Filename, &p.RecordType,
			&p.Reference, &p.Title, &names, &p.Parcel, &p.Plot, &p.Neighbourhood, &p.Street,
			&p.Year)
		if err != nil {
			return nil, fmt.Errorf("archive: reading pages to index: %w", err)
		}
		p.Names = SplitList(names)
		pages = append(pages, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: reading pages to index: %w", err)
	}
	return pages, nil
}
