package main

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/sijil-municipality/sijil/certs/render"
)

// level is an error correction level by its ISO name, as certs/render and
// go-qrcode (which calls Q "High" and H "Highest") spell it.
type level struct {
	name   string
	render render.QRLevel
	lib    qrcode.RecoveryLevel
}

var allLevels = []level{
	{"L", render.QRLow, qrcode.Low},
	{"M", render.QRMedium, qrcode.Medium},
	{"Q", render.QRQuartile, qrcode.High},
	{"H", render.QRHigh, qrcode.Highest},
}

func levelByName(name string) (level, bool) {
	for _, l := range allLevels {
		if l.name == name {
			return l, true
		}
	}
	return level{}, false
}

// codeInfo is what go-qrcode makes of the QR text at one level.
type codeInfo struct {
	version      int
	byteVersion  int  // the version the text would need in byte mode
	alphanumeric bool // encoded at alphanumeric density or better
}

// modules is the symbol's side in modules, quiet zone excluded.
func (c codeInfo) modules() int { return 17 + 4*c.version }

// inspect finds the version go-qrcode picks for text. The library does not
// expose its segment modes, so alphanumeric mode is shown by comparison:
// every character is in the QR alphanumeric set, and the text needs no
// larger a version than a same-length text the library can only encode as
// alphanumeric, while the lower-case text (byte mode) needs a larger one.
func inspect(text string, l level) (codeInfo, error) {
	version := func(s string) (int, error) {
		code, err := qrcode.New(s, l.lib)
		if err != nil {
			return 0, fmt.Errorf("encode %d characters at level %s: %w", len(s), l.name, err)
		}
		return code.VersionNumber, nil
	}
	var info codeInfo
	var alnum int
	var err error
	if info.version, err = version(text); err != nil {
		return codeInfo{}, err
	}
	if alnum, err = version(strings.Repeat("A", len(text))); err != nil {
		return codeInfo{}, err
	}
	if info.byteVersion, err = version(strings.ToLower(text)); err != nil {
		return codeInfo{}, err
	}

	info.alphanumeric = strings.Trim(text, alphanumericSet) == "" &&
		info.version <= alnum && info.byteVersion > info.version
	return info, nil
}

// alphanumericSet is the QR alphanumeric mode's 45 characters
// (ISO/IEC 18004 table 5).
const alphanumericSet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
