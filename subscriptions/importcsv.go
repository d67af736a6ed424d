package subscriptions

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// MaxProblems caps the problems a refused import lists: past it the admin
// is told how many lines are wrong in all, which is enough to know the
// export itself is broken.
const MaxProblems = 100

// batchRows is how many rows one INSERT carries. 9 columns × 500 rows
// stays well under SQLite's and PostgreSQL's limits on parameters, and
// turns a million statements into two thousand.
const batchRows = 500

// RowsError lists what is wrong with a refused snapshot file, line by
// line. The error Import returns wraps it, for pages that show the list.
type RowsError struct {
	Problems []Problem // the first MaxProblems, in file order
	BadLines int       // every line with at least one problem
}

func (e *RowsError) Error() string {
	var b strings.Builder
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if more := e.BadLines - countLines(e.Problems); more > 0 {
		fmt.Fprintf(&b, "\n  … and %d more lines", more)
	}
	return b.String()
}

// countLines counts the distinct lines among problems in file order.
func countLines(probs []Problem) int {
	n, last := 0, 0
	for _, p := range probs {
		if p.Line != last {
			n, last = n+1, p.Line
		}
	}
	return n
}

// Import reads a snapshot file in CSV and makes it the live snapshot in
// place of the previous one, recording by (the admin's name) and the
// file's SHA-256.
//
// The file is UTF-8, with or without a byte order mark, lines ending in LF
// or CRLF. Its first line names the columns (Columns, in any order); each
// further line is one account. Either every line is good and the whole
// file replaces the snapshot in one transaction, or nothing changes and
// the error, of kind Invalid with key subscriptions.bad_rows, wraps a
// *RowsError listing the problems. A file whose header is wrong is
// refused with key subscriptions.bad_header, one with no accounts with
// subscriptions.no_rows.
func (s *Store) Import(ctx context.Context, file io.Reader, by string) (Snapshot, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return Snapshot{}, sijil.Errorf(sijil.Invalid, "subscriptions.no_importer",
			"say who imports the snapshot")
	}
	sum := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(file, sum), 1<<16)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short line is reported with the others, not fatal
	cr.ReuseRecord = true

	pos, err := readHeader(cr)
	if err != nil {
		return Snapshot{}, err
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Snapshot{}, fmt.Errorf("import subscriptions: %w", err)
	}
	defer tx.Rollback()
	// Old rows go first, inside the transaction: readers keep seeing them
	// until the commit, and the new rows may reuse their account numbers.
	if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions_accounts`); err != nil {
		return Snapshot{}, fmt.Errorf("import subscriptions: %w", err)
	}

	n, rerr := s.load(ctx, tx, cr, pos)
	if rerr != nil {
		var re *RowsError
		if errors.As(rerr, &re) {
			s.log.Info("subscriptions import refused", "bad_lines", re.BadLines)
		}
		return Snapshot{}, rerr
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return Snapshot{}, fmt.Errorf("import subscriptions: %w", err)
	}

	sn := Snapshot{ID: newID(), ImportedAt: s.now().UTC().Truncate(time.Microsecond), ImportedBy: by,
		Rows: n, SHA256: hex.EncodeToString(sum.Sum(nil))}
	// The transaction holds the write lock (SQLite) or the rows it deleted
	// (PostgreSQL), so no other import takes the same number.
	_, err = tx.ExecContext(ctx, `INSERT INTO subscriptions_imports
		(id, imported_at, imported_by, row_count, file_sha256, seq)
		SELECT $1, $2, $3, $4, $5, COALESCE(MAX(seq), 0) + 1 FROM subscriptions_imports`,
		sn.ID, formatTime(sn.ImportedAt), sn.ImportedBy, sn.Rows, sn.SHA256)
	if err != nil {
		return Snapshot{}, fmt.Errorf("import subscriptions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Snapshot{}, fmt.Errorf("import subscriptions: %w", err)
	}
	s.log.Info("subscriptions imported", "import_id", sn.ID, "rows", sn.Rows)
	return sn, nil
}

// readHeader reads the first line and returns each column's position.
func readHeader(cr *csv.Reader) (map[string]int, error) {
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, sijil.Errorf(sijil.Invalid, "subscriptions.no_rows",
			"the file is empty: it needs a header line (%s) and one line per account",
			strings.Join(Columns, ","))
	}
	if err != nil {
		return nil, sijil.Errorf(sijil.Invalid, "subscriptions.bad_header",
			"the header line cannot be read as CSV: %w", err)
	}

	pos := map[string]int{}
	var unknown, twice []string
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(Columns, name) {
			unknown = append(unknown, fmt.Sprintf("%q", h))
		} else if _, ok := pos[name]; ok {
			twice = append(twice, name)
		} else {
			pos[name] = i
		}
	}
	var missing []string
	for _, c := range Columns {
		if _, ok := pos[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(unknown)+len(twice)+len(missing) == 0 {
		return pos, nil
	}

	var why []string
	if len(unknown) > 0 {
		why = append(why, "unknown columns "+strings.Join(unknown, ", "))
	}
	if len(twice) > 0 {
		why = append(why, "columns named twice "+strings.Join(twice, ", "))
	}
	if len(missing) > 0 {
		why = append(why, "missing columns "+strings.Join(missing, ", "))
	}
	return nil, sijil.Errorf(sijil.Invalid, "subscriptions.bad_header",
		"the header line (line 1) has %s; it must name exactly these columns, in any "+
			"order: %s", strings.Join(why, "; "), strings.Join(Columns, ","))
}

// load checks every line and inserts the good ones in batches until the
// first bad one; from then on it only checks, so that the error lists every
// bad line. It returns the rows inserted, or the *RowsError.
func (s *Store) load(ctx context.Context, tx *sql.Tx, cr *csv.Reader, pos map[string]int) (
	int, error) {
	ins := &inserter{tx: tx, s: s}
	defer ins.close()
	seen := map[string]int32{} // account number → line, to catch duplicates
	re := &RowsError{}
	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var probs []Problem
		var r row
		var perr *csv.ParseError
		switch {
		case errors.As(err, &perr):
			probs = []Problem{{Line: perr.Line, Key: "subscriptions.bad_csv",
				Message: "cannot be read as CSV: " + perr.Err.Error()}}
		case err != nil:
			return 0, fmt.Errorf("read subscriptions file: %w", err)
		default:
			line, _ := cr.FieldPos(0)
			if len(rec) != len(pos) {
				probs = []Problem{{Line: line, Key: "subscriptions.field_count",
					Message: fmt.Sprintf("has %d fields; the header has %d", len(rec),
						len(pos))}}
				break
			}
			r, probs = parseRow(line, rec, pos)
			if r.accountNumber != "" {
				if first, dup := seen[r.accountNumber]; dup {
					probs = append(probs, Problem{Line: line, Column: ColAccountNumber,
						Key: "subscriptions.duplicate_account", Message: fmt.Sprintf(
							"%s is also on line %d", quote(r.accountNumber), first)})
				} else {
					seen[r.accountNumber] = int32(line)
				}
			}
		}

		if len(probs) > 0 {
			re.BadLines++
			for _, p := range probs {
				if len(re.Problems) < MaxProblems {
					re.Problems = append(re.Problems, p)
				}
			}
			continue
		}
		n++
		if re.BadLines == 0 {
			if err := ins.add(ctx, r); err != nil {
				return 0, err
			}
		}
	}

	if re.BadLines > 0 {
		return 0, sijil.Errorf(sijil.Invalid, "subscriptions.bad_rows",
			"%d of %d lines are wrong, so nothing was imported and the previous snapshot "+
				"stays; correct them and import the whole file again:%w",
			re.BadLines, re.BadLines+n, re)
	}
	if n == 0 {
		return 0, sijil.Errorf(sijil.Invalid, "subscriptions.no_rows",
			"the file has a header but no accounts; an empty snapshot would hide every "+
				"citizen's accounts, so nothing was imported")
	}
	if err := ins.flush(ctx); err != nil {
		return 0, err
	}
	return n, nil
}

// inserter writes rows in multi-row INSERTs through one prepared statement
// for full batches.
type inserter struct {
	tx   *sql.Tx
	s    *Store
	full *sql.Stmt
	args []any
}

const insertColumns = `INSERT INTO subscriptions_accounts (account_number, national_id_mac,
	service, address, status, balance_minor, last_payment_date, last_payment_minor, line)
	VALUES `

const columnsPerRow = 9

func (in *inserter) add(ctx context.Context, r row) error {
	in.args = append(in.args, r.accountNumber, in.s.nationalIDMAC(r.nationalID), r.service,
		r.address, r.status, int64(r.balance), r.paidOn, int64(r.paid), int64(r.line))
	if len(in.args) < batchRows*columnsPerRow {
		return nil
	}
	if in.full == nil {
		st, err := in.tx.PrepareContext(ctx, insertSQL(batchRows))
		if err != nil {
			return fmt.Errorf("import subscriptions: %w", err)
		}
		in.full = st
	}
	if _, err := in.full.ExecContext(ctx, in.args...); err != nil {
		return fmt.Errorf("import subscriptions: %w", err)
	}
	in.args = in.args[:0]
	return nil
}

// flush writes the last, partial batch.
func (in *inserter) flush(ctx context.Context) error {
	if len(in.args) == 0 {
		return nil
	}
	_, err := in.tx.ExecContext(ctx, insertSQL(len(in.args)/columnsPerRow), in.args...)
	if err != nil {
		return fmt.Errorf("import subscriptions: %w", err)
	}
	in.args = in.args[:0]
	return nil
}

func (in *inserter) close() {
	if in.full != nil {
		in.full.Close()
	}
}

// insertSQL is an INSERT of n rows with numbered placeholders.
func insertSQL(n int) string {
	var b strings.Builder
	b.WriteString(insertColumns)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range columnsPerRow {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", i*columnsPerRow+j+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "imp_" + hex.EncodeToString(b)
}
