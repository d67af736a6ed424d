package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

// record runs `sijil record show|edit|history`: what an archivist does
// to one record from the console, through the same Store calls as the
// archivist's pages.
func (e *env) record(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: record show|edit|history ID", errUsage)
	}
	switch args[0] {
	case "show":
		return e.recordShow(ctx, args[1:])
	case "edit":
		return e.recordEdit(ctx, args[1:])
	case "history":
		return e.recordHistory(ctx, args[1:])
	}
	return fmt.Errorf("%w: unknown record command %q (show, edit, history)", errUsage, args[0])
}

// parseID parses flags placed before or after the one positional
// argument, an id, since `sijil record edit ID --field …` reads
// naturally, and returns the id.
func parseID(fs *flag.FlagSet, args []string, what string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", flagError(err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("%w: name one %s", errUsage, what)
	}
	return pos[0], nil
}

// byFlag is who acts: recorded with every correction, decision and view
// of a restricted record.
func byFlag(fs *flag.FlagSet) *string {
	return fs.String("by", os.Getenv("USER"), "who acts, as recorded in the history "+
		"(default $USER)")
}

func (e *env) recordShow(ctx context.Context, args []string) error {
	fs := e.flags("record show")
	data := dataFlag(fs)
	by := byFlag(fs)
	text := fs.Bool("text", false, "print each page's text too")
	id, err := parseID(fs, args, "record")
	if err != nil {
		return err
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	store := archive.NewStore(a.db)
	rec, pages, err := store.ViewRecord(ctx, id, *by)
	if err != nil {
		return err
	}
	flags, err := store.Duplicates(ctx, archive.DuplicateFilter{RecordID: id})
	if err != nil {
		return err
	}

	printRecord(e.stdout, rec)
	for _, p := range pages {
		fmt.Fprintf(e.stdout, "page %d\t%d characters, OCR confidence %d, turned %d°\n",
			p.Number, utf8.RuneCountInString(p.Text), p.Confidence, p.Rotation)
		if *text {
			fmt.Fprintf(e.stdout, "%s\n", strings.TrimSpace(p.Text))
		}
	}
	for _, d := range flags {
		printFlag(e.stdout, d)
	}
	return nil
}

// printRecord prints a record's fields one a line, national IDs masked.
func printRecord(w io.Writer, r archive.Record) {
	restricted := "no"
	if r.Restricted {
		restricted = "yes"
	}
	masked := make([]string, len(r.NationalIDs))
	for i, id := range r.NationalIDs {
		masked[i] = maskID(id)
	}
	for _, f := range [][2]string{
		{"id", r.ID}, {"file", fmt.Sprintf("%s (%s, %s, %d bytes)", r.Filename, r.MediaType,
			pages(r.PageCount), r.SizeBytes)},
		{"sha256", r.SHA256}, {"archived", r.CreatedAt.Format(time.RFC3339)},
		{"origin", r.Origin}, {"record_type", r.RecordType}, {"reference", r.Reference},
		{"title", r.Title}, {"date", r.Date}, {"names", strings.Join(r.Names, "; ")},
		{"national_ids", strings.Join(masked, "; ")}, {"parcel", r.Parcel},
		{"plot", r.Plot}, {"neighbourhood", r.Neighbourhood}, {"street", r.Street},
		{"source", r.Source}, {"restricted", restricted},
	} {
		fmt.Fprintf(w, "%-14s%s\n", f[0], f[1])
	}
}

// maskID shows the last two digits of a national ID, enough to tell two
// apart on a screen someone may look over.
func maskID(id string) string {
	if len(id) <= 2 {
		return strings.Repeat("•", len(id))
	}
	return strings.Repeat("•", len(id)-2) + id[len(id)-2:]
}

// fieldFlags collects --field NAME=VALUE into an Update.
type fieldFlags struct {
	u   archive.Update
	set int
}

func (f *fieldFlags) String() string { return "" }

func (f *fieldFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("write --field NAME=VALUE, e.g. --field parcel=1234")
	}
	if err := f.u.Set(strings.TrimSpace(name), value); err != nil {
		return err
	}
	f.set++
	return nil
}

func (e *env) recordEdit(ctx context.Context, args []string) error {
	fs := e.flags("record edit")
	data := dataFlag(fs)
	by := byFlag(fs)
	reason := fs.String("reason", "", "why the record is corrected (required)")
	var fields fieldFlags
	fs.Var(&fields, "field", "NAME=VALUE to set, repeatable; names: "+
		strings.Join(archive.EditableFields, ", ")+
		" (names and national_ids ';'-separated, restricted yes or no)")
	page := fs.Int("page", 0, "correct the OCR text of this page (with --text-file)")
	textFile := fs.String("text-file", "", "file holding the page's corrected text, - for stdin")
	id, err := parseID(fs, args, "record")
	if err != nil {
		return err
	}
	if (fields.set > 0) == (*page > 0) || (*page > 0) != (*textFile != "") {
		return fmt.Errorf("%w: give --field NAME=VALUE, or --page N with --text-file FILE",
			errUsage)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	idx, err := a.index()
	if err != nil {
		return err
	}
	store := archive.NewStore(a.db).WithIndexer(index.Archive{Index: idx})
	change := archive.Change{By: *by, Reason: *reason}

	if *page > 0 {
		text, err := readText(*textFile)
		if err != nil {
			return err
		}
		if _, err := store.EditPageText(ctx, id, *page, text, change); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: page %d corrected\n", id, *page)
		return nil
	}
	rec, err := store.Update(ctx, id, fields.u, change)
	if err != nil {
		return err
	}
	printRecord(e.stdout, rec)
	return nil
}

// readText reads a corrected page's text from a file or stdin.
func readText(path string) (string, error) {
	if path != "-" {
		b, err := readFile(path)
		return string(b), err
	}
	b, err := io.ReadAll(io.LimitReader(os.Stdin, maxInputBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxInputBytes {
		return "", fmt.Errorf("%w: the text on stdin is larger than %d KB", errUsage,
			maxInputBytes>>10)
	}
	return string(b), nil
}

func (e *env) recordHistory(ctx context.Context, args []string) error {
	fs := e.flags("record history")
	data := dataFlag(fs)
	id, err := parseID(fs, args, "record")
	if err != nil {
		return err
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	store := archive.NewStore(a.db)
	edits, err := store.History(ctx, id)
	if err != nil {
		return err
	}
	events, err := store.Events(ctx, id, math.MaxInt32) // all of them
	if err != nil {
		return err
	}

	fmt.Fprintf(e.stdout, "corrections of %s: %d\n", id, len(edits))
	for _, ed := range edits {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t(%s)\n", ed.At.Format(time.RFC3339), ed.By,
			editedWhat(ed), editedChange(ed), ed.Reason)
	}
	fmt.Fprintf(e.stdout, "events of %s: %d\n", id, len(events))
	for _, ev := range events {
		actor := ev.Actor
		if actor == "" {
			actor = "-"
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", ev.At.Format(time.RFC3339), actor, ev.Kind,
			ev.Detail)
	}
	return nil
}

func editedWhat(ed archive.Edit) string {
	if ed.Page > 0 {
		return fmt.Sprintf("page %d %s", ed.Page, ed.Field)
	}
	return ed.Field
}

// editedChange shows old → new, national IDs masked and page texts by
// length, which fits a line.
func editedChange(ed archive.Edit) string {
	switch ed.Field {
	case "national_ids":
		mask := func(s string) string {
			var out []string
			for _, id := range strings.Split(s, ";") {
				if id != "" {
					out = append(out, maskID(id))
				}
			}
			return strings.Join(out, ";")
		}
		return fmt.Sprintf("%q → %q", mask(ed.Old), mask(ed.New))
	case "text":
		return fmt.Sprintf("%d → %d characters", utf8.RuneCountInString(ed.Old),
			utf8.RuneCountInString(ed.New))
	}
	return fmt.Sprintf("%q → %q", ed.Old, ed.New)
}

// duplicates runs `sijil duplicates [--all]` and `sijil duplicates decide`.
func (e *env) duplicates(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "decide" {
		return e.decide(ctx, args[1:])
	}
	fs := e.flags("duplicates")
	data := dataFlag(fs)
	all := fs.Bool("all", false, "list decided flags too")
	record := fs.String("record", "", "only the flags of this record")
	limit := fs.Int("limit", 100, "at most this many flags")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: duplicates takes no arguments (did you mean "+
			"'duplicates decide ID'?)", errUsage)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	filter := archive.DuplicateFilter{Status: archive.DupOpen, RecordID: *record, Limit: *limit}
	if *all {
		filter.Status = ""
	}
	flags, err := archive.NewStore(a.db).Duplicates(ctx, filter)
	if err != nil {
		return err
	}
	for _, d := range flags {
		printFlag(e.stdout, d)
	}
	fmt.Fprintf(e.stdout, "%d flags\n", len(flags))
	return nil
}

func printFlag(w io.Writer, d archive.DuplicateFlag) {
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s", d.ID, d.Status, d.Reason, d.RecordID, d.OtherID,
		d.Detail)
	if d.Status != archive.DupOpen {
		fmt.Fprintf(w, "\tdecided by %s %s: %s", d.DecidedBy,
			d.DecidedAt.Format(time.RFC3339), d.Note)
	}
	fmt.Fprintln(w)
}

func (e *env) decide(ctx context.Context, args []string) error {
	fs := e.flags("duplicates decide")
	data := dataFlag(fs)
	by := byFlag(fs)
	as := fs.String("as", "", "not_duplicate or duplicate_kept")
	note := fs.String("note", "", "why (required)")
	id, err := parseID(fs, args, "duplicate flag")
	if err != nil {
		return err
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := archive.NewStore(a.db).Decide(ctx, id,
		archive.Decision{Status: *as, By: *by, Note: *note})
	if err != nil {
		return err
	}
	printFlag(e.stdout, d)
	return nil
}
