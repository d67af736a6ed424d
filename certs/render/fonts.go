package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-text/typesetting/font"

	"github.com/sijil-municipality/sijil"
)

// fontDirs are the directories FindFonts searches, in order. Debian's
// fonts-hosny-amiri installs into the first one; the others cover older
// packagings and fonts installed by hand.
var fontDirs = []string{
	"/usr/share/fonts/opentype/fonts-hosny-amiri",
	"/usr/share/fonts/truetype/fonts-hosny-amiri",
	"/usr/share/fonts/truetype/amiri",
	"/usr/share/fonts/amiri",
	"/usr/local/share/fonts",
}

// FindFonts returns the paths of Amiri Regular and Amiri Bold found on the
// system. When no bold face is installed, bold is the regular path, so that
// bold text degrades to regular rather than failing. The error names the
// Debian package to install.
func FindFonts() (regular, bold string, err error) {
	regular = findFile("Amiri-Regular.ttf")
	if regular == "" {
		return "", "", sijil.Errorf(sijil.Unavailable, "render.font_missing",
			"render: Amiri-Regular.ttf not found in %s: install the Debian package "+
				"fonts-hosny-amiri or pass a font path", strings.Join(fontDirs, ", "))
	}

	bold = findFile("Amiri-Bold.ttf")
	if bold == "" {
		bold = regular
	}
	return regular, bold, nil
}

func findFile(name string) string {
	for _, dir := range fontDirs {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// fontFile is a parsed TrueType font: the shaper's view of it and the raw
// tables the PDF embeds. It is read-only after loading and shared by all
// renders.
type fontFile struct {
	path string
	name string // PostScript-safe base name, e.g. "Amiri-Bold"
	font *font.Font
	sfnt *sfnt
}

func loadFont(path string) (*fontFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, sijil.Errorf(sijil.Unavailable, "render.font_missing",
			"render: font %s: %w (Debian package fonts-hosny-amiri)", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("render: read font: %w", err)
	}

	face, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("render: parse font %s: %w", path, err)
	}
	sf, err := parseSFNT(data)
	if err != nil {
		return nil, fmt.Errorf("render: font %s: %w", path, err)
	}

	return &fontFile{path: path, name: psName(path), font: face.Font, sfnt: sf}, nil
}

// psName turns a file name into a PDF name without delimiters or spaces.
func psName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' || strings.ContainsRune("()<>[]{}/%#", r) {
			return '-'
		}
		return r
	}, base)
}
