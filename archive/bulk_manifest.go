package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

// ManifestHeader is the header line a bulk-import manifest must have, or
// this with ",restricted" after it (see ManifestHeaderRestricted).
const ManifestHeader = "file,record_type,reference,date,names,national_ids," +
	"parcel,plot,neighbourhood,street,source"

// ManifestHeaderRestricted is the header of a manifest whose last column
// says which records are restricted: yes or no (or true/false, 1/0, "").
const ManifestHeaderRestricted = ManifestHeader + ",restricted"

// Manifest is a parsed bulk-import manifest. Rows that failed validation
// are kept, with their refusal, so that the report names every line.
type Manifest struct {
	Path   string // absolute
	Dir    string // files are read from here and nowhere else
	SHA256 string // of the manifest's bytes: a re-run with the same hash resumes
	Lines  []ManifestLine
}

// ManifestLine is one data row of a manifest.
type ManifestLine struct {
	Line    int    // in the file, the header being line 1
	File    string // as written, relative to the manifest's folder
	Meta    BulkMetadata
	Refusal error // why the row cannot be imported, or nil
}

// ReadManifest reads and checks the manifest at path. A manifest whose
// header is wrong is refused whole (Invalid); a bad row is refused alone
// and the others proceed.
func ReadManifest(path string) (*Manifest, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("archive: manifest path %s: %w", path, err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, sijil.Errorf(sijil.NotFound, "bulk.no_manifest",
			"cannot read the manifest %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	m := &Manifest{Path: abs, Dir: filepath.Dir(abs), SHA256: hex.EncodeToString(sum[:])}

	root, err := os.OpenRoot(m.Dir)
	if err != nil {
		return nil, fmt.Errorf("archive: manifest folder %s: %w", m.Dir, err)
	}
	defer root.Close()

	// Spreadsheet programs start UTF-8 files with a byte-order mark.
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1 // a short row is refused alone, not the whole file
	header, err := r.Read()
	h := strings.Join(header, ",")
	if err != nil || (h != ManifestHeader && h != ManifestHeaderRestricted) {
		return nil, sijil.Errorf(sijil.Invalid, "bulk.header",
			"the manifest's first line must be exactly %q, or that and \",restricted\"",
			ManifestHeader)
	}

	for {
		line, err := readLine(r, root, len(header))
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		m.Lines = append(m.Lines, line)
	}
}

// readLine reads and checks the next row; only io.EOF and read failures
// come back as errors, a bad row comes back with its Refusal set.
func readLine(r *csv.Reader, root *os.Root, columns int) (ManifestLine, error) {
	fields, err := r.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return ManifestLine{Line: pe.StartLine, Refusal: sijil.Errorf(sijil.Invalid,
			"bulk.csv", "the line is not valid CSV: %w", pe.Err)}, nil
	}
	if err != nil {
		return ManifestLine{}, err
	}

	n, _ := r.FieldPos(0)
	l := ManifestLine{Line: n, File: fields[0]}
	if len(fields) != columns {
		l.Refusal = sijil.Errorf(sijil.Invalid, "bulk.fields",
			"the line has %d fields, the header %d", len(fields), columns)
		return l, nil
	}
	for i, f := range fields {
		if utf8.ValidString(f) && !strings.ContainsRune(f, 0) {
			continue
		}
		// The line is kept with its refusal: its file name as text.
		l.File = strings.ReplaceAll(strings.ToValidUTF8(l.File, "\uFFFD"), "\x00", "\uFFFD")
		l.Refusal = sijil.Errorf(sijil.Invalid, "bulk.not_text",
			"the %s field holds bytes that are not text (a NUL or broken UTF-8): save the "+
				"manifest as UTF-8 text", columnName(i))
		return l, nil
	}
	if l.Refusal = checkFile(root, l.File); l.Refusal != nil {
		return l, nil
	}
	l.Meta, l.Refusal = parseMetadata(fields[1:])
	return l, nil
}

// columnName names column i (from 0) of a manifest, as its header does.
func columnName(i int) string {
	names := strings.Split(ManifestHeaderRestricted, ",")
	return names[min(i, len(names)-1)]
}

// checkFile refuses a path that is absolute, leaves the manifest's folder
// (by .. or a symbolic link) or is not a regular file.
func checkFile(root *os.Root, name string) error {
	if name == "" {
		return sijil.Errorf(sijil.Invalid, "bulk.no_file", "the line names no file")
	}
	if !filepath.IsLocal(name) {
		return sijil.Errorf(sijil.Invalid, "bulk.outside",
			"%s is not a path inside the manifest's folder", name)
	}
	info, err := root.Stat(name)
	if errors.Is(err, os.ErrNotExist) {
		return sijil.Errorf(sijil.NotFound, "bulk.missing", "%s does not exist", name)
	}
	// os.Root says so of a symbolic link that leads out of the folder.
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		return sijil.Errorf(sijil.Invalid, "bulk.outside",
			"%s is a link that leads outside the manifest's folder", name)
	}
	if err != nil {
		return sijil.Errorf(sijil.Invalid, "bulk.unreadable",
			"%s cannot be read inside the manifest's folder: %w", name, err)
	}
	if !info.Mode().IsRegular() {
		return sijil.Errorf(sijil.Invalid, "bulk.not_file", "%s is not a regular file", name)
	}
	return nil
}
