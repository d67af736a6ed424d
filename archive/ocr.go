package archive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sijil-municipality/sijil"
)

// OCR reads pages. The Ingester calls Check once per file, then Read for
// each page and Orientation only for a page whose reading is in doubt
// (see readPage), from several goroutines at once. Errors are Unavailable
// when the engine or a language is missing.
type OCR interface {
	// Check reports whether the engine runs and knows the languages.
	Check(ctx context.Context, languages []string) error

	// Orientation tells how the image at path must be turned to be
	// upright and what script its text is in. A page with too little
	// text to tell is reported upright, its script unknown.
	Orientation(ctx context.Context, path string) (Orientation, error)

	// Read returns the text of the image at path and its words, with
	// boxes in the pixels of that image.
	Read(ctx context.Context, path string, languages []string) (Reading, error)
}

// Reading is what OCR made of one page image.
type Reading struct {
	Text  string // the engine's own plain text, line breaks and bidi marks included
	Words []Word // in reading order; empty for a page without text
}

// Orientation is what orientation and script detection made of a page.
type Orientation struct {
	Rotate int    // degrees clockwise to turn it upright: 0, 90, 180 or 270
	Script string // the script of most of its text ("Arabic", "Latin"); "" when OSD cannot tell
}

// Tesseract is the OCR engine run as the tesseract command, one process per
// call: a crash costs one page, not the server, and the build stays pure
// Go.
type Tesseract struct {
	// Path is the command to run; empty means "tesseract" on $PATH.
	Path string
}

// minOSDConfidence is the orientation confidence below which Tesseract's
// guess is ignored: turning an upright page the wrong way ruins its OCR,
// while leaving a turned page as it is only loses what was already lost.
// Over the osdCharacters it classifies, clean pages score 4.5 (a short
// English page) to 14, blurred ones with noise 3.4 to 11.
const minOSDConfidence = 2.0

// osdLanguage is the traineddata that orientation detection needs.
const osdLanguage = "osd"

// osdCharacters is Tesseract's min_characters_to_try for OSD, which then
// classifies up to five times as many of a page's characters, each in its
// four turns. Tesseract's default, 50, classifies 250; 20 classifies 100,
// in 0.3-0.5 s less of a 0.7-1.4 s run. On the shared samples, each of
// nine pages in four turns, clean and blurred with noise, 100 characters
// turned every page as 250 did, at confidences of 3.4-13.8 where 250 gave
// 6.9-31.6; the photo blurred past reading was wrong both ways, below
// minOSDConfidence. A page with fewer than 100 characters is read as
// before; one with 10-24, which the default skipped as too few, scored
// under 2 in every turn, as if skipped.
const osdCharacters = "20"

// checkedTesseracts remembers when Check last found a command and its
// languages there: for a minute they are taken to be there still. Run
// before every file, the check cost an import of one-page files a
// Tesseract run a page; a language taken away within the minute still
// fails the first Read that asks for it (see run).
var checkedTesseracts sync.Map // command and languages → time.Time

// Check runs tesseract --list-langs and names the Debian package to install
// for anything missing.
func (t Tesseract) Check(ctx context.Context, languages []string) error {
	key := t.Path + "\x00" + strings.Join(languages, "+")
	if at, ok := checkedTesseracts.Load(key); ok && time.Since(at.(time.Time)) < time.Minute {
		return nil
	}
	out, err := t.run(ctx, "--list-langs")
	if err != nil {
		return err
	}

	have := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		have[strings.TrimSpace(line)] = true
	}
	for _, lang := range append([]string{osdLanguage}, languages...) {
		if !have[lang] {
			return sijil.Errorf(sijil.Unavailable, "archive.ocr_language_missing",
				"Tesseract has no %q language data; install the Debian package "+
					"tesseract-ocr-%s", lang, lang)
		}
	}
	checkedTesseracts.Store(key, time.Now())
	return nil
}

// Orientation runs Tesseract's orientation and script detection (--psm 0).
func (t Tesseract) Orientation(ctx context.Context, path string) (Orientation, error) {
	out, err := t.run(ctx, path, "stdout", "--psm", "0", "--dpi", "300",
		"-c", "min_characters_to_try="+osdCharacters)
	var te *tesseractError
	if errors.As(err, &te) && strings.Contains(te.stderr, "Too few characters") {
		return Orientation{}, nil
	}
	if err != nil {
		return Orientation{}, err
	}

	var (
		o      Orientation
		script string
		conf   = -1.0
	)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		v = strings.TrimSpace(v)
		switch k {
		case "Rotate":
			o.Rotate, err = strconv.Atoi(v)
		case "Orientation confidence":
			conf, err = strconv.ParseFloat(v, 64)
		case "Script":
			script = v
		}
		if err != nil {
			return Orientation{}, fmt.Errorf("archive: tesseract OSD output %q: %w",
				sc.Text(), err)
		}
	}
	if conf < 0 || o.Rotate%90 != 0 {
		return Orientation{}, fmt.Errorf("archive: tesseract OSD gave no orientation: %q", out)
	}
	// The script is taken when the orientation is, whatever Tesseract's
	// confidence in it: over 100 characters, that of English pages was
	// 0.7-13 and of Arabic ones 2-233, and each of the 72 turned samples
	// (see osdCharacters) named its script; one blurred English page said
	// Cyrillic, which no language here reads. A script named wrongly costs
	// a reading, which the surer one outweighs (see readFirst); one not
	// named, an English page read as Arabic only.
	if conf < minOSDConfidence {
		return Orientation{}, nil
	}
	o.Script = script
	o.Rotate = (o.Rotate%360 + 360) % 360
	return o, nil
}

// Read OCRs the image at path with the languages joined by "+", in one
// run that writes both Tesseract's plain text and its TSV of word boxes:
// the text is Tesseract's own, not rebuilt from the words, so its line
// breaks and bidi marks are exactly what Tesseract would print.
func (t Tesseract) Read(ctx context.Context, path string, languages []string) (Reading, error) {
	base := path + ".ocr"
	defer os.Remove(base + ".txt")
	defer os.Remove(base + ".tsv")
	_, err := t.run(ctx, path, base, "-l", strings.Join(languages, "+"),
		"--psm", "3", "--dpi", "300", "txt", "tsv")
	if err != nil {
		return Reading{}, err
	}

	text, err := os.ReadFile(base + ".txt")
	if err != nil {
		return Reading{}, fmt.Errorf("archive: tesseract wrote no text: %w", err)
	}
	tsv, err := os.ReadFile(base + ".tsv")
	if err != nil {
		return Reading{}, fmt.Errorf("archive: tesseract wrote no TSV: %w", err)
	}
	words, err := parseTSV(tsv)
	if err != nil {
		return Reading{}, err
	}
	return Reading{Text: string(text), Words: words}, nil
}

// tesseractError is a tesseract run that exited with an error.
type tesseractError struct {
	args   []string
	stderr string
	err    error
}

func (e *tesseractError) Error() string {
	return fmt.Sprintf("archive: tesseract %s: %v: %s",
		strings.Join(e.args, " "), e.err, strings.TrimSpace(e.stderr))
}

func (e *tesseractError) Unwrap() error { return e.err }

// run starts one tesseract process. OMP_THREAD_LIMIT=1 because pages run in
// parallel already: OpenMP threads on top were measured 4-6 times slower.
func (t Tesseract) run(ctx context.Context, args ...string) ([]byte, error) {
	path := t.Path
	if path == "" {
		path = "tesseract"
	}
	tctx, cancel := withToolTimeout(ctx)
	defer cancel()
	cmd := exec.CommandContext(tctx, path, args...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr

	out, err := cmd.Output()
	if err != nil {
		if terr := toolTimedOut(ctx, tctx, "Tesseract"); terr != nil {
			return nil, terr
		}
	}
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return nil, sijil.Errorf(sijil.Unavailable, "archive.ocr_missing",
			"the tesseract command is not installed; install the Debian package "+
				"tesseract-ocr: %w", err)
	// Asked for eng+xyz without xyz, Tesseract says so and reads in
	// English alone, with success: a page read in fewer languages than
	// asked is refused all the same.
	case strings.Contains(stderr.String(), "Failed loading language"):
		return nil, sijil.Errorf(sijil.Unavailable, "archive.ocr_language_missing",
			"Tesseract lacks a language it was asked for (%s); install the "+
				"tesseract-ocr-<language> Debian package", lastLine(stderr.String()))
	case err == nil:
		return out, nil
	}
	return nil, &tesseractError{args: args, stderr: stderr.String(), err: err}
}
