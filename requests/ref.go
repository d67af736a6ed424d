package requests

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// A reference number reads like B-2026-4817-3925: a letter for the kind of
// request or ticket, the year it was made, seven random digits and a check
// digit. Random rather than sequential, so that a number says nothing of
// how many others there are; the check digit (Damm's algorithm, which
// catches every single wrong digit and every swap of two neighbours) lets a
// page tell a mistyped number from an unknown one. Ten million numbers per
// letter and year leave collisions rare; an insert that meets one draws
// again.
const refRandomDigits = 7

// refLetters gives each kind of request or ticket its letter.
var refLetters = map[string]string{
	string(KindCopy):        "D",
	string(KindBuilding):    "B",
	string(KindCraft):       "C",
	string(TicketComplaint): "S",
	string(TicketInquiry):   "Q",
}

// newRef draws a reference number for kind in year.
func newRef(kind string, year int) (string, error) {
	letter, ok := refLetters[kind]
	if !ok {
		return "", fmt.Errorf("requests: no reference letter for %q", kind)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(10_000_000))
	if err != nil {
		return "", fmt.Errorf("requests: draw a reference number: %w", err)
	}
	digits := fmt.Sprintf("%0*d", refRandomDigits, n.Int64())
	digits += string(rune('0' + damm(digits)))
	return letter + "-" + strconv.Itoa(year) + "-" + digits[:4] + "-" + digits[4:], nil
}

// ParseRef reads a reference number as a citizen may type it: lower case,
// Arabic-Indic digits, spaces or no dashes. It returns the canonical form,
// or an Invalid error when it cannot be a reference number (wrong shape or
// check digit), so that a page can say "check the number" instead of "not
// found".
func ParseRef(s string) (string, error) {
	return parseRef(s, sijil.Errorf(sijil.Invalid, "requests.ref_invalid",
		"This is not a reference number: it looks like B-2026-4817-3925."))
}

// ParseTicketRef is ParseRef for a complaint's or inquiry's number: its
// refusal gives a ticket's number as the example, not a request's.
func ParseTicketRef(s string) (string, error) {
	return parseRef(s, sijil.Errorf(sijil.Invalid, "requests.ticket_ref_invalid",
		"This is not a complaint or inquiry number: it looks like S-2026-4817-3925."))
}

func parseRef(s string, bad error) (string, error) {
	s = strings.ToUpper(sijil.NormalizeDigits(s))
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\u00a0' || r == '/' {
			return -1
		}
		return r
	}, s)
	const n = 1 + 4 + refRandomDigits + 1
	if len(s) != n || !isLetterRef(s[:1]) || !allDigits(s[1:]) {
		return "", bad
	}
	digits := s[5:]
	if damm(digits) != 0 {
		return "", bad
	}
	year, _ := strconv.Atoi(s[1:5])
	if year < 2000 || year > time.Now().Year()+1 {
		return "", bad
	}
	return s[:1] + "-" + s[1:5] + "-" + digits[:4] + "-" + digits[4:], nil
}

func isLetterRef(l string) bool {
	for _, v := range refLetters {
		if v == l {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// dammTable is the quasigroup of Damm's check digit algorithm.
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

// damm returns the interim digit of ASCII digits: the check digit to append
// to digits, or 0 when digits already end with a right check digit.
func damm(digits string) byte {
	var interim byte
	for i := 0; i < len(digits); i++ {
		interim = dammTable[interim][digits[i]-'0']
	}
	return interim
}
