package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"
)

// ErrInvalidBlobKey is returned when a key could escape the store's folder
// or alias another key. Keys come from code, not from users, so seeing it
// means a bug or an attack; both implementations refuse the same keys so
// that a folder can always be copied into a bucket.
var ErrInvalidBlobKey = errors.New("archive: invalid blob key")

// FolderBlobs stores blobs as files under a folder, one file per key, with
// the key's slashes as sub-folders. It is the embedded default of Blobs.
type FolderBlobs struct {
	dir string
}

var _ Blobs = (*FolderBlobs)(nil)

// NewFolderBlobs returns a store rooted at dir, creating dir if needed.
func NewFolderBlobs(dir string) (*FolderBlobs, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: blob folder %q: %w", dir, err)
	}

	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("archive: create blob folder: %w", err)
	}
	return &FolderBlobs{dir: abs}, nil
}

// checkKey refuses keys that are not plain relative slash paths. A leading
// dot in a segment is refused too, so "..", "." and the store's own
// ".tmp-" files can never be named by a key.
func checkKey(key string) error {
	reason := ""
	switch {
	case key == "":
		reason = "empty"
	case !utf8.ValidString(key):
		reason = "not UTF-8"
	case strings.HasPrefix(key, "/"):
		reason = "absolute"
	case strings.Contains(key, ".."):
		reason = `contains ".."`
	case strings.ContainsAny(key, "\\\x00"):
		reason = "contains a backslash or NUL"
	case strings.HasSuffix(key, "/") || strings.Contains(key, "//"):
		reason = "has an empty segment"
	case strings.HasPrefix(key, ".") || strings.Contains(key, "/."):
		reason = "has a segment starting with a dot"
	}
	if reason != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidBlobKey, key, reason)
	}
	return nil
}

// path returns the file that holds key.
func (b *FolderBlobs) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(b.dir, filepath.FromSlash(key)), nil
}

// Put stores the bytes of r under key unless the key already exists. The
// bytes go to a temporary file in the target folder, are synced, and are
// then hard-linked into place: link fails when the name exists, so two
// concurrent Puts cannot overwrite each other and a crash never leaves a
// partial file under the key.
func (b *FolderBlobs) Put(
	ctx context.Context, key string, r io.Reader, size int64, contentType string,
) error {
	final, err := b.path(key)
	if err != nil {
		return err
	}

	if _, err := os.Lstat(final); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fmt.Errorf("archive: put %q: %w", key, err)
	}

	tmp, err := writeTemp(ctx, filepath.Dir(final), r, size)
	if err != nil {
		return fmt.Errorf("archive: put %q: %w", key, err)
	}
	defer os.Remove(tmp)

	if err := os.Link(tmp, final); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("archive: put %q: %w", key, err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return fmt.Errorf("archive: put %q: %w", key, err)
	}
	return nil
}

// writeTemp copies r into a new synced file in dir and returns its name.
// On any failure, including a cancelled ctx, the file is removed.
func writeTemp(ctx context.Context, dir string, r io.Reader, size int64) (string, error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", err
	}

	n, err := io.Copy(f, ctxReader{ctx: ctx, r: r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("got %d bytes, expected %d", n, size)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}

	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes a new directory entry durable; without it a crash right
// after Put could lose a blob that Put reported as stored.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy as soon as ctx is done, so a cancelled Put does
// not keep writing a large upload to disk.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Get opens the file stored under key.
func (b *FolderBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}

	f, err := os.Open(p)
	if err != nil {
		return nil, notFoundOr(key, err)
	}

	// A key that names a folder of other keys is not an object.
	info, err := f.Stat()
	if err == nil && info.IsDir() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, notFoundOr(key, err)
	}
	return f, nil
}

// Stat reports the size of the file stored under key.
func (b *FolderBlobs) Stat(ctx context.Context, key string) (int64, error) {
	p, err := b.path(key)
	if err != nil {
		return 0, err
	}

	info, err := os.Stat(p)
	if err == nil && info.IsDir() {
		err = fs.ErrNotExist
	}
	if err != nil {
		return 0, notFoundOr(key, err)
	}
	return info.Size(), nil
}

// notFoundOr maps a missing file to ErrBlobNotFound and wraps anything
// else. ENOTDIR counts as missing: "a/b" is absent when "a" is a blob.
func notFoundOr(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %q", ErrBlobNotFound, key)
	}
	return fmt.Errorf("archive: blob %q: %w", key, err)
}
