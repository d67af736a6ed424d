package subscriptions

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

// The CSV columns, by header name. The header row names them; their order
// is free.
const (
	ColNationalID        = "national_id"
	ColAccountNumber     = "account_number"
	ColService           = "service"
	ColAddress           = "address"
	ColStatus            = "status"
	ColBalance           = "balance"
	ColLastPaymentDate   = "last_payment_date"
	ColLastPaymentAmount = "last_payment_amount"
)

// Columns lists every column a snapshot file must have, in the order the
// billing system's export usually gives them.
var Columns = []string{ColNationalID, ColAccountNumber, ColService, ColAddress, ColStatus,
	ColBalance, ColLastPaymentDate, ColLastPaymentAmount}

// Limits on one field, so that a stray binary file or a runaway quote is
// refused instead of stored.
const (
	maxAccountNumber = 40
	maxAddress       = 300
	maxAmountDigits  = 13 // whole units: far above any municipal balance
)

// serviceNames maps what the billing system may write, folded by foldName,
// to a service. Arabic names come with and without a final taa marbuta's
// dots, since exports differ.
var serviceNames = map[string]string{
	"water": ServiceWater, "مياه": ServiceWater, "مياة": ServiceWater,
	"wastewater": ServiceWastewater, "صرف صحي": ServiceWastewater,
	"solid_waste": ServiceSolidWaste, "solid waste": ServiceSolidWaste,
	"نفايات صلبة": ServiceSolidWaste, "نفايات صلبه": ServiceSolidWaste,
	"craft_licence": ServiceCraftLicence, "craft licence": ServiceCraftLicence,
	"craft license": ServiceCraftLicence, "craft_license": ServiceCraftLicence,
	"رخصة حرفة": ServiceCraftLicence, "رخصه حرفه": ServiceCraftLicence,
}

var statusNames = map[string]string{
	"active": StatusActive, "فعال": StatusActive, "نشط": StatusActive,
	"suspended": StatusSuspended, "موقوف": StatusSuspended, "معلق": StatusSuspended,
	"closed": StatusClosed, "مغلق": StatusClosed,
}

// foldName lower-cases a name and collapses its spaces.
func foldName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// row is one valid line of a snapshot file, ready to store.
type row struct {
	line          int
	nationalID    string // normalised; hashed before it is stored
	accountNumber string
	service       string
	address       string
	status        string
	balance       Amount
	paidOn        string // YYYY-MM-DD or ""
	paid          Amount
}

// Problem is one thing wrong with a line of a snapshot file, in words the
// admin can act on. Key names the reason in the translation catalogs;
// Message is its English text.
type Problem struct {
	Line    int    // in the file, counting the header as line 1
	Column  string // the header name, or "" for the whole line
	Key     string
	Message string
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", p.Line, p.Column, p.Message)
}

// parseRow checks one record against the header's column positions and
// returns the row or every problem in it. It never puts a national ID in a
// message: the messages may reach a log.
func parseRow(line int, rec []string, pos map[string]int) (row, []Problem) {
	r := row{line: line}
	var probs []Problem
	bad := func(col, key, format string, args ...any) {
		probs = append(probs, Problem{Line: line, Column: col, Key: key,
			Message: fmt.Sprintf(format, args...)})
	}
	// field returns a column's text; a field that is not UTF-8 is reported
	// once, and then reads as empty without being reported as empty too.
	invalid := map[string]bool{}
	field := func(col string) string {
		v := rec[pos[col]]
		if !utf8.ValidString(v) {
			bad(col, "subscriptions.bad_encoding", "is not UTF-8 text: save the file as UTF-8")
			invalid[col] = true
			return ""
		}
		return strings.TrimSpace(v)
	}
	empty := func(col, v string) bool {
		if v == "" && !invalid[col] {
			bad(col, "subscriptions.empty_field", "is empty")
		}
		return v == ""
	}

	r.nationalID = sijil.NormalizeDigits(field(ColNationalID))
	switch {
	case empty(ColNationalID, r.nationalID):
	case !sijil.ValidNationalID(r.nationalID):
		bad(ColNationalID, "subscriptions.bad_national_id",
			"is not a national ID: 9 digits, the last a check digit")
	}

	r.accountNumber = sijil.NormalizeDigits(field(ColAccountNumber))
	switch {
	case empty(ColAccountNumber, r.accountNumber):
	case utf8.RuneCountInString(r.accountNumber) > maxAccountNumber ||
		strings.IndexFunc(r.accountNumber, notAccountRune) >= 0:
		bad(ColAccountNumber, "subscriptions.bad_account_number",
			"%s is not an account number: at most %d letters, digits, '-', '/' or '.'",
			quote(r.accountNumber), maxAccountNumber)
	}

	if v := field(ColService); !empty(ColService, v) && serviceNames[foldName(v)] == "" {
		bad(ColService, "subscriptions.bad_service", "%s is not a service: write water, "+
			"wastewater, solid_waste or craft_licence (or مياه، صرف صحي، نفايات صلبة، رخصة حرفة)",
			quote(v))
	} else {
		r.service = serviceNames[foldName(v)]
	}

	r.address = strings.Join(strings.Fields(field(ColAddress)), " ")
	switch {
	case empty(ColAddress, r.address):
	case utf8.RuneCountInString(r.address) > maxAddress:
		bad(ColAddress, "subscriptions.too_long", "is longer than %d characters", maxAddress)
	}

	if v := field(ColStatus); !empty(ColStatus, v) && statusNames[foldName(v)] == "" {
		bad(ColStatus, "subscriptions.bad_status",
			"%s is not a status: write active, suspended or closed", quote(v))
	} else {
		r.status = statusNames[foldName(v)]
	}

	if v := field(ColBalance); !empty(ColBalance, v) {
		var ok bool
		if r.balance, ok = parseAmount(v, true); !ok {
			bad(ColBalance, "subscriptions.bad_amount", "%s is not an amount: write digits "+
				"with at most 2 decimals after a point, such as 1250.50 or -3.5", quote(v))
		}
	}

	r.paidOn, r.paid, probs = parsePayment(line, field(ColLastPaymentDate),
		field(ColLastPaymentAmount), probs)
	return r, probs
}

// parsePayment checks the last payment's date and amount: both, or
// neither for an account never paid.
func parsePayment(line int, date, amount string, probs []Problem) (string, Amount,
	[]Problem) {
	bad := func(col, key, format string, args ...any) {
		probs = append(probs, Problem{Line: line, Column: col, Key: key,
			Message: fmt.Sprintf(format, args...)})
	}
	if date == "" && amount == "" {
		return "", 0, probs
	}
	if date == "" || amount == "" {
		bad("", "subscriptions.payment_incomplete", "give both %s and %s, or neither for "+
			"an account never paid", ColLastPaymentDate, ColLastPaymentAmount)
		return "", 0, probs
	}

	day := sijil.NormalizeDigits(date)
	if t, err := time.Parse(time.DateOnly, day); err != nil || t.Year() < 1900 {
		bad(ColLastPaymentDate, "subscriptions.bad_date",
			"%s is not a date: write YYYY-MM-DD, such as 2024-03-31", quote(date))
	}
	paid, ok := parseAmount(amount, false)
	if !ok {
		bad(ColLastPaymentAmount, "subscriptions.bad_amount", "%s is not an amount paid: "+
			"write digits with at most 2 decimals after a point, such as 75.25", quote(amount))
	}
	return day, paid, probs
}

// parseAmount reads a decimal with at most two places into hundredths,
// without ever going through a float. Arabic-Indic digits and the Arabic
// decimal separator are accepted; thousands separators are not, since
// "1,250" and "1.250" mean different things in different exports.
func parseAmount(s string, signed bool) (Amount, bool) {
	s = strings.ReplaceAll(sijil.NormalizeDigits(s), "٫", ".")
	neg := false
	if signed && strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || len(whole) > maxAmountDigits || len(frac) > 2 || (hasPoint && frac == "") {
		return 0, false
	}
	var v int64
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return Amount(v), true
}

func notAccountRune(r rune) bool {
	return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/' || r == '.')
}

// quote shows a bad value in a message, cut short so one runaway field
// does not flood the list.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
