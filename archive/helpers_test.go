package archive_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// samplesDir is the shared folder of real scans, or "" when this checkout
// has none. $SIJIL_SAMPLES overrides the default place.
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SIJIL_SAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "samples")
	}
	if _, err := os.Stat(filepath.Join(dir, "scans")); err != nil {
		return ""
	}
	return dir
}

// openDB opens a migrated SQLite database in a temp folder.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "sijil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := archive.Migrate(context.Background(), db, "sqlite"); err != nil {
		t.Fatal(err)
	}
	return db
}

// wantKind fails the test unless err is a *sijil.Error of the kind and key.
func wantKind(t *testing.T, err error, kind sijil.Kind, key string) *sijil.Error {
	t.Helper()
	var se *sijil.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *sijil.Error", err, err)
	}
	if se.Kind != kind || se.Key != key {
		t.Fatalf("got kind %d key %q (%q), want kind %d key %q",
			se.Kind, se.Key, se.Message, kind, key)
	}
	return se
}

// testBlobs is a folder-backed archive.Blobs for tests, until the real
// folder store lands.
type testBlobs struct{ dir string }

func (b testBlobs) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	path := filepath.Join(b.dir, filepath.FromSlash(key))
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (b testBlobs) Get(_ context.Context, key string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(b.dir, filepath.FromSlash(key)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, archive.ErrBlobNotFound
	}
	return f, err
}

func (b testBlobs) Stat(_ context.Context, key string) (int64, error) {
	st, err := os.Stat(filepath.Join(b.dir, filepath.FromSlash(key)))
	if errors.Is(err, os.ErrNotExist) {
		return 0, archive.ErrBlobNotFound
	}
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
