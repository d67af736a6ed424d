package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// IndexBuilder is a new, empty search index that a rebuild fills. The
// index package is adapted to it in cmd.
type IndexBuilder interface {
	// IndexPages indexes pages in one batch, replacing any of the same
	// record and number.
	IndexPages(ctx context.Context, pages []PageText) error

	// Close flushes the index to disk.
	Close() error
}

// Reindexer rebuilds the search index from the database: the index is
// derived data, and pages whose indexing an interrupted ingest never
// finished are found again. Store and Open are required.
type Reindexer struct {
	Store     *Store
	Open      func(dir string) (IndexBuilder, error) // opens or creates an index in dir
	BatchSize int                                    // pages a batch; 0 means 1000
	Log       *slog.Logger                           // nil means slog.Default()
}

// Build fills a new index in a folder next to dir and returns that
// folder; the index in dir is not touched, so that it keeps answering
// searches and survives a crash or a cancelled ctx. Swap puts the new one
// in place. A folder left by an earlier failed Build is replaced.
func (r *Reindexer) Build(ctx context.Context, dir string) (string, error) {
	newDir := dir + ".rebuild"
	if err := os.RemoveAll(newDir); err != nil {
		return "", fmt.Errorf("archive: clearing %s: %w", newDir, err)
	}
	ix, err := r.Open(newDir)
	if err != nil {
		return "", err
	}

	err = r.fill(ctx, ix)
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.RemoveAll(newDir) // a half-built index is of no use; the error says why
		return "", err
	}
	return newDir, nil
}

// fill hands every page to ix in batches, in (record, page) order, and
// logs progress after each batch.
func (r *Reindexer) fill(ctx context.Context, ix IndexBuilder) error {
	total, err := r.Store.countPages(ctx)
	if err != nil {
		return err
	}

	done, after := 0, pageCursor{}
	for {
		batch, err := r.Store.pageTextsAfter(ctx, after, r.batchSize())
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		if err := ix.IndexPages(ctx, batch); err != nil {
			return fmt.Errorf("archive: reindex after %d of %d pages: %w", done, total, err)
		}

		done += len(batch)
		last := batch[len(batch)-1]
		after = pageCursor{recordID: last.RecordID, number: last.Number}
		r.log().InfoContext(ctx, "reindex progress", "done", done, "total", total)
	}
}

// Swap replaces the index in dir with the one built in newDir. Each
// rename is atomic; between the two, dir is briefly absent, and the old
// index waits in a third folder until the new one is in place.
func Swap(dir, newDir string) error {
	old := dir + ".old-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	err := os.Rename(dir, old)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("archive: moving the old index aside: %w", err)
	}
	moved := err == nil

	if err := os.Rename(newDir, dir); err != nil {
		if moved {
			_ = os.Rename(old, dir) // put the old index back; the error says why
		}
		return fmt.Errorf("archive: moving the new index into place: %w", err)
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return fmt.Errorf("archive: index swap: %w", err)
	}
	if moved {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("archive: removing the old index %s: %w", old, err)
		}
	}
	return nil
}

func (r *Reindexer) batchSize() int {
	if r.BatchSize <= 0 {
		return 1000
	}
	return r.BatchSize
}

func (r *Reindexer) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}
