package archive_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sijil-municipality/sijil/archive"
)

// BenchmarkUpdateAt100kRecords measures one correction of a parcel among
// 100,000 records of one type spread over 10,000 parcels: the history row,
// the event, the duplicate checks inside and after the transaction, and
// handing the page to the indexer (which here only keeps it).
//
//	go test -run '^$' -bench UpdateAt100k ./archive/
func BenchmarkUpdateAt100kRecords(b *testing.B) {
	const n = 100_000
	db := openDB(b)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("rec_%016x", i)
		_, err := tx.Exec(`INSERT INTO records (id, sha256, filename, media_type, size_bytes,
			page_count, record_type, reference, title, created_at, parcel)
			VALUES ($1, $2, 'f.png', 'image/png', 1, 1, 'deed', $3, '', $4, $5)`,
			id, fmt.Sprintf("%064x", i), fmt.Sprintf("%d/1998", i),
			fmt.Sprintf("2020-01-01T00:00:00.%06dZ", i%1_000_000), fmt.Sprint(i%10_000))
		if err == nil {
			_, err = tx.Exec(`INSERT INTO pages (record_id, number, width, height, rotation,
				image_key, text_key, text) VALUES ($1, 1, 1, 1, 0, '', '', 'text')`, id)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	s := archive.NewStore(db).WithIndexer(&recordingIndex{})

	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var u archive.Update
		if err := u.Set("parcel", fmt.Sprint(i%10_000)); err != nil {
			b.Fatal(err)
		}
		_, err := s.Update(ctx, "rec_0000000000000001", u,
			archive.Change{By: "huda", Reason: "bench"})
		if err != nil {
			b.Fatal(err)
		}
	}
}
