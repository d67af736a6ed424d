package requests

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/disintegration/imaging"

	"github.com/sijil-municipality/sijil"
)

// Blobs stores supporting files. Put is write-once and never leaves a
// partial object under the key; archive's folder and S3 stores fit.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

// Limits on supporting files: a phone photo or a scanned page fits, and a
// request stays small enough to review on a weak connection.
const (
	MaxFileBytes = 5 << 20
	MaxFiles     = 5
	// maxPixels bounds a decoded image's width × height: a 16-megapixel PNG
	// decodes to 64 MB, which the server's 200 MB budget can hold while a
	// few uploads run at once. TODO(#5): scale larger photos down instead
	// of refusing them.
	maxPixels = 16_000_000
)

// The types a supporting file may have, as sniffed from its bytes.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypePDF  = "application/pdf"
)

// Upload is a file as the citizen sends it. Name is only shown back; the
// type comes from the bytes.
type Upload struct {
	Name string
	Body io.Reader
}

// File is a supporting file as stored.
type File struct {
	ID          string
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	UploadedAt  time.Time
	blobKey     string
	uploadedBy  string
}

// storeUploads cleans and stores each upload, before the transaction that
// records them: a failure after this leaves only unreferenced blobs, never
// a row pointing at nothing. TODO(#5): sweep blobs no row names.
func (s *Service) storeUploads(ctx context.Context, uploads []Upload) ([]File, error) {
	if len(uploads) > MaxFiles {
		return nil, sijil.Errorf(sijil.Invalid, "requests.files_too_many",
			"Attach at most %d files.", MaxFiles)
	}
	var out []File
	for _, u := range uploads {
		f, data, err := cleanUpload(u)
		if err != nil {
			return nil, err
		}
		if err := s.blobs.Put(ctx, f.blobKey, bytes.NewReader(data), f.Size,
			f.ContentType); err != nil {
			return nil, fmt.Errorf("requests: store file: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// cleanUpload reads an upload within the size limit, sniffs its type, and
// re-encodes an image so that its metadata (EXIF, GPS position, camera,
// comments) is gone: the decoders keep only the pixels.
func cleanUpload(u Upload) (File, []byte, error) {
	data, err := io.ReadAll(io.LimitReader(u.Body, MaxFileBytes+1))
	if err != nil {
		return File{}, nil, fmt.Errorf("requests: read upload: %w", err)
	}
	if len(data) > MaxFileBytes {
		return File{}, nil, sijil.Errorf(sijil.TooLarge, "requests.file_too_large",
			"A file may be at most %d MB.", MaxFileBytes>>20)
	}
	if len(data) == 0 {
		return File{}, nil, sijil.Errorf(sijil.Invalid, "requests.file_empty",
			"The file is empty.")
	}

	ctype := http.DetectContentType(data)
	switch ctype {
	case TypeJPEG, TypePNG:
		data, err = reencode(data, ctype)
	case TypePDF:
		err = checkPDF(data)
	default:
		err = sijil.Errorf(sijil.Invalid, "requests.file_type",
			"Attach a photo (JPEG or PNG) or a PDF.")
	}
	if err != nil {
		return File{}, nil, err
	}

	sum := sha256.Sum256(data)
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return File{}, nil, fmt.Errorf("requests: file id: %w", err)
	}
	f := File{ID: "f_" + hex.EncodeToString(id), Name: cleanName(u.Name, ctype),
		ContentType: ctype, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	f.blobKey = "request-files/" + f.SHA256[:2] + "/" + f.SHA256
	return f, data, nil
}

// reencode decodes an image and encodes its pixels again, which drops
// every metadata segment. The size is checked before decoding, so that a
// small file claiming a huge image cannot exhaust memory.
func reencode(data []byte, ctype string) ([]byte, error) {
	bad := sijil.Errorf(sijil.Invalid, "requests.file_damaged",
		"The image could not be read; take the photo again or attach a PDF.")
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, bad
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, sijil.Errorf(sijil.TooLarge, "requests.image_too_large",
			"The image is too large: at most %d megapixels.", maxPixels/1_000_000)
	}
	// A phone stores a photo taken upright as sideways pixels and an EXIF
	// orientation; the pixels are turned before the metadata goes, or the
	// clerk would see the citizen's document on its side.
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, bad
	}

	var buf bytes.Buffer
	if ctype == TypeJPEG {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	}
	if err != nil {
		return nil, fmt.Errorf("requests: re-encode image: %w", err)
	}
	if buf.Len() > MaxFileBytes {
		return nil, sijil.Errorf(sijil.TooLarge, "requests.file_too_large",
			"A file may be at most %d MB.", MaxFileBytes>>20)
	}
	return buf.Bytes(), nil
}

// checkPDF is a sanity check, not a parse: a PDF header, an end-of-file
// mark near the end, and none of the features that run something when the
// file is opened. Staff open these files; a PDF that wants to run code is
// refused rather than cleaned.
func checkPDF(data []byte) error {
	bad := sijil.Errorf(sijil.Invalid, "requests.file_damaged",
		"The PDF could not be read; scan the document again or attach a photo.")
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return bad
	}
	tail := data[max(0, len(data)-1024):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return bad
	}
	for _, active := range []string{"/JavaScript", "/JS", "/Launch", "/EmbeddedFile",
		"/OpenAction", "/AA", "/RichMedia", "/XFA"} {
		if containsName(data, active) {
			return sijil.Errorf(sijil.Invalid, "requests.file_active_pdf",
				"The PDF holds scripts or embedded files; print it to PDF again or "+
					"attach a photo.")
		}
	}
	return nil
}

// containsName reports whether the PDF name appears as a whole name (not
// the start of a longer one, as /AA in /AAPL would be).
func containsName(data []byte, name string) bool {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(name))
		if j < 0 {
			return false
		}
		end := i + j + len(name)
		if end == len(data) || !isNameChar(data[end]) {
			return true
		}
		i = end
	}
}

func isNameChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// cleanName keeps the base of a file name, without control characters, at
// most 100 characters, with the extension of its sniffed type.
func cleanName(name, ctype string) string {
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, path.Base(strings.ReplaceAll(name, "\\", "/")))
	name = strings.TrimSuffix(name, path.Ext(name))
	if name == "" || name == "." || !utf8.ValidString(name) {
		name = "file"
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	ext := map[string]string{TypeJPEG: ".jpg", TypePNG: ".png", TypePDF: ".pdf"}[ctype]
	return name + ext
}

// insertFiles records stored files as belonging to parent (a request's or
// a ticket's reference number).
func insertFiles(ctx context.Context, tx *sql.Tx, by Actor, parent string, files []File,
	at time.Time) error {
	for _, f := range files {
		_, err := tx.ExecContext(ctx, `INSERT INTO requests_files (id, parent, name,
			content_type, size, sha256, blob_key, uploaded_by, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			f.ID, parent, f.Name, f.ContentType, f.Size, f.SHA256, f.blobKey, by.ID,
			formatTime(at))
		if err != nil {
			return fmt.Errorf("requests: record file of %s: %w", parent, err)
		}
	}
	return nil
}

// listFiles returns the files of a request or ticket, oldest first.
func listFiles(ctx context.Context, tx *sql.Tx, parent string) ([]File, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, content_type, size, sha256, blob_key,
		uploaded_by, at FROM requests_files WHERE parent = $1 ORDER BY at, id`, parent)
	if err != nil {
		return nil, fmt.Errorf("requests: list files of %s: %w", parent, err)
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		var at string
		if err := rows.Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.blobKey,
			&f.uploadedBy, &at); err != nil {
			return nil, fmt.Errorf("requests: list files of %s: %w", parent, err)
		}
		if f.UploadedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RequestFile opens the supporting file id of the request ref, for by to
// download; the caller closes it. A file of a request that is not the
// citizen's is NotFound, as is the id of another request's file.
func (s *Service) RequestFile(ctx context.Context, by Actor, ref, id string) (File,
	io.ReadCloser, error) {
	var f File
	err := s.readFor(ctx, by, ref, "request.view_file", func(tx *sql.Tx, r Request) error {
		var err error
		f, err = findFile(ctx, tx, r.Ref, id)
		return err
	})
	if err != nil {
		return File{}, nil, err
	}
	return s.openFile(ctx, f)
}

// findFile returns the file id among parent's files.
func findFile(ctx context.Context, tx *sql.Tx, parent, id string) (File, error) {
	files, err := listFiles(ctx, tx, parent)
	if err != nil {
		return File{}, err
	}
	for _, f := range files {
		if f.ID == id {
			return f, nil
		}
	}
	return File{}, sijil.Errorf(sijil.NotFound, "requests.file_not_found",
		"There is no such file.")
}

func (s *Service) openFile(ctx context.Context, f File) (File, io.ReadCloser, error) {
	rc, err := s.blobs.Get(ctx, f.blobKey)
	if err != nil {
		return File{}, nil, fmt.Errorf("requests: open file %s: %w", f.ID, err)
	}
	return f, rc, nil
}
