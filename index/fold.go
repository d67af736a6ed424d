package index

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s with the spelling differences that Arabic search must
// ignore removed. The sijil_ar analyzer applies it to every word at index
// and query time, before bleve's Arabic normaliser and the stemmer; callers
// that build queries bleve does not analyse (term, prefix, fuzzy) apply it
// themselves.
//
// It NFKC-folds (presentation forms and ligatures such as ﻻ become plain
// letters), lowercases, turns Arabic-Indic and Eastern Arabic digits into
// ASCII, drops bidi and joiner controls (Tesseract puts U+200F inside
// words), tatweel and harakat, and folds hamza carriers, alef forms, taa
// marbuta, alef maqsura and the Farsi yeh and keheh.
func Fold(s string) string {
	s = norm.NFKC.String(s)

	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if f, keep := foldRune(r); keep {
			b.WriteRune(f)
		}
	}
	return b.String()
}

// letterFolds maps each Arabic letter variant to the letter it is searched
// as. Alef forms, taa marbuta and alef maqsura are bleve's normalize_ar
// rules too; Fold repeats them so that it is complete on its own.
var letterFolds = map[rune]rune{
	'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', // hamza and madda on alef, wasla
	'ؤ': 'و', // hamza on waw
	'ئ': 'ي', // hamza on yeh
	'ى': 'ي', // alef maqsura
	'ی': 'ي', // Farsi yeh, as Farsi keyboards and some OCR emit it
	'ة': 'ه', // taa marbuta
	'ک': 'ك', // keheh (Farsi kaf)
}

// arabicMarks are the combining marks of the Arabic blocks: harakat,
// superscript alef, Quranic annotation. Their Unicode script is
// "Inherited", not Arabic, so unicode.Arabic does not find them.
var arabicMarks = &unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x0610, Hi: 0x061a, Stride: 1},
	{Lo: 0x064b, Hi: 0x065f, Stride: 1},
	{Lo: 0x0670, Hi: 0x0670, Stride: 1},
	{Lo: 0x06d6, Hi: 0x06dc, Stride: 1},
	{Lo: 0x06df, Hi: 0x06e4, Stride: 1},
	{Lo: 0x06e7, Hi: 0x06e8, Stride: 1},
	{Lo: 0x06ea, Hi: 0x06ed, Stride: 1},
	{Lo: 0x08ca, Hi: 0x08ff, Stride: 1},
}}

// foldRune returns what r becomes, or keep false when r is dropped.
func foldRune(r rune) (f rune, keep bool) {
	switch {
	case r >= '٠' && r <= '٩':
		return '0' + r - '٠', true
	case r >= '۰' && r <= '۹':
		return '0' + r - '۰', true
	case isControl(r), r == 'ـ':
		return 0, false
	case unicode.Is(arabicMarks, r):
		return 0, false
	}

	if f, ok := letterFolds[r]; ok {
		return f, true
	}
	return unicode.ToLower(r), true
}

// isControl reports the invisible characters that change how text is shown
// or joined but not what it says.
func isControl(r rune) bool {
	switch {
	case r == '\u200c', r == '\u200d': // ZWNJ, ZWJ
		return true
	case r == '\u200e', r == '\u200f', r == '\u061c': // LRM, RLM, ALM
		return true
	case r >= '\u202a' && r <= '\u202e': // embeddings and overrides
		return true
	case r >= '\u2066' && r <= '\u2069': // isolates
		return true
	case r == '\ufeff': // byte order mark
		return true
	}
	return false
}
