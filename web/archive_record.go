package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
)

// recordView is the record page: the record, its pages as the viewer
// shows them, its corrections and events, and the correction form.
type recordView struct {
	Rec       archive.Record
	MaskedIDs []string
	Pages     []pageView
	History   []editView
	Events    []eventView
	EventsCut bool // Events are the latest maxEvents of more
	Flags     []archive.DuplicateFlag
	Blocked   bool   // its last fixity check failed: no images are shown
	Query     string // the search that led here, whose words are drawn
	Fields    []fieldView
	Types     []string
	Editing   bool // the correction form failed and is shown open

	Reason, ReasonError string // as typed in the failed form

	Screen pageScreen
}

// pageScreen is the run of a record's pages one record page shows, with
// the links to the runs around it.
type pageScreen struct {
	From, To   int
	Prev, Next string
}

// recordLink is the record page showing the screen from page first, with
// the hits of q drawn.
func (s *Server) recordLink(id, q string, first int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if first > 1 {
		v.Set("from", strconv.Itoa(first))
	}
	link := "/archive/records/" + url.PathEscape(id)
	if len(v) > 0 {
		link += "?" + v.Encode()
	}
	return link
}

// pageView is one page in the viewer, with the boxes of the words the
// search found, in the pixels of the page image (the SVG's viewBox
// scales them to whatever size the view image is shown at).
type pageView struct {
	Number, Width, Height int
	Text                  string
	Confidence            int
	Rotation              int
	Boxes                 []archive.Word
}

// editView is one correction as the history shows it.
type editView struct {
	archive.Edit
	Old, New string        // masked for national IDs, counted for page texts
	Diff     template.HTML // a page text's changes, word by word
}

// fieldView is one field of the correction form.
type fieldView struct {
	Name, Value, Error string
	Long               bool // a textarea
}

// archiveHome is the archive's start page: what an archivist can do,
// and the records archived last.
func (s *Server) archiveHome(w http.ResponseWriter, r *http.Request) error {
	recs, err := s.cfg.Archive.Records(r.Context(), 20)
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "archive_home.html", Page{Title: s.T(r, "archive.title"),
		Data: recs})
	return nil
}

// archiveRecord shows a record through ViewRecord, so that a view of a
// restricted record is in the archive's events and the audit trail
// before the page is sent.
func (s *Server) archiveRecord(w http.ResponseWriter, r *http.Request) error {
	first, _ := strconv.Atoi(r.URL.Query().Get("from"))
	v, err := s.loadRecord(r, chi.URLParam(r, "id"), r.URL.Query().Get("q"), first)
	if err != nil {
		return err
	}
	p := Page{Title: s.recordTitle(r, v.Rec), Data: v}
	switch r.URL.Query().Get("done") {
	case "uploaded":
		p.Flash = s.T(r, "archive.uploaded")
	case "existed":
		p.Flash = s.T(r, "archive.upload_existed")
	case "existed_differs":
		p.Flash = s.T(r, "archive.upload_existed_differs")
	case "unindexed":
		p.Flash = s.T(r, "archive.upload_unindexed")
	case "edited":
		p.Flash = s.T(r, "archive.edited")
	case "text":
		p.Flash = s.T(r, "archive.text_edited")
	}
	s.show(w, r, http.StatusOK, "archive_record.html", p)
	return nil
}

// pagesPerScreen is how many pages of a record one record page shows: a
// register of hundreds of pages is read a screen at a time.
const pagesPerScreen = 10

// screenOf is the first page of the screen showing page n.
func screenOf(n int) int { return (n-1)/pagesPerScreen*pagesPerScreen + 1 }

// loadRecord reads everything the record page shows, with the screen of
// pages from page first. q, when set, is the search whose words are
// boxed on the pages.
func (s *Server) loadRecord(r *http.Request, id, q string, first int) (recordView, error) {
	ctx := r.Context()
	u := CurrentUser(ctx)
	rec, pages, err := s.cfg.Archive.ViewRecord(ctx, id, u.Login)
	if err != nil {
		return recordView{}, err
	}
	if rec.Restricted {
		if err := s.auditArchive(r, "record.view_restricted", "record", rec.ID,
			"viewed the restricted record"); err != nil {
			return recordView{}, err
		}
	}
	v := recordView{Rec: rec, Query: q, Types: archive.RecordTypes,
		MaskedIDs: maskIDs(rec.NationalIDs)}
	if v.Blocked, err = s.cfg.Archive.OriginalBlocked(ctx, id); err != nil {
		return recordView{}, err
	}
	// A from past the last page, up to the largest int a URL may carry,
	// opens the last screen: unclamped, first+pagesPerScreen overflowed
	// into a negative range that showed no pages.
	first = screenOf(min(max(first, 1), max(len(pages), 1)))
	v.Screen = pageScreen{From: first, To: min(first+pagesPerScreen-1, len(pages))}
	if first > 1 {
		v.Screen.Prev = s.recordLink(rec.ID, q, first-pagesPerScreen)
	}
	if v.Screen.To < len(pages) {
		v.Screen.Next = s.recordLink(rec.ID, q, first+pagesPerScreen)
	}
	for _, pg := range pages {
		if pg.Number < v.Screen.From || pg.Number > v.Screen.To {
			continue
		}
		pv := pageView{Number: pg.Number, Width: pg.Width, Height: pg.Height, Text: pg.Text,
			Confidence: pg.Confidence, Rotation: pg.Rotation}
		if q != "" && !v.Blocked {
			if pv.Boxes, err = s.hitBoxes(r, rec, pg, q); err != nil {
				return recordView{}, err
			}
		}
		v.Pages = append(v.Pages, pv)
	}
	edits, err := s.cfg.Archive.History(ctx, id)
	if err != nil {
		return recordView{}, err
	}
	for _, e := range edits {
		ev := editView{Edit: e, Old: s.editValue(r, e, e.Old), New: s.editValue(r, e, e.New)}
		if e.Field == "text" {
			ev.Diff = wordDiff(e.Old, e.New)
		}
		v.History = append(v.History, ev)
	}
	events, err := s.cfg.Archive.Events(ctx, id, maxEvents)
	if err != nil {
		return recordView{}, err
	}
	v.EventsCut = len(events) == maxEvents
	for _, e := range events {
		v.Events = append(v.Events, s.eventView(r, e))
	}
	if v.Flags, err = s.cfg.Archive.Duplicates(ctx,
		archive.DuplicateFilter{RecordID: id}); err != nil {
		return recordView{}, err
	}
	v.Fields = recordFields(rec)
	return v, nil
}

// hitBoxes are the word boxes of page pg that the query q finds. A page
// read before word boxes were kept has none to draw, which is no error.
func (s *Server) hitBoxes(r *http.Request, rec archive.Record, pg archive.Page,
	q string) ([]archive.Word, error) {
	words, err := archive.LoadWords(r.Context(), s.cfg.Blobs, rec.SHA256, pg.Number)
	if sijil.KindOf(err) == sijil.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(words.Words))
	for i, w := range words.Words {
		texts[i] = w.Text
	}
	found, err := index.MatchingWords(q, texts)
	if sijil.KindOf(err) == sijil.Invalid {
		return nil, nil // a broken query in a link marks nothing
	}
	if err != nil {
		return nil, err
	}
	boxes := make([]archive.Word, len(found))
	for i, n := range found {
		boxes[i] = words.Words[n]
	}
	return boxes, nil
}

// editValue is one side of a correction as the history shows it.
func (s *Server) editValue(r *http.Request, e archive.Edit, value string) string {
	switch e.Field {
	case "national_ids":
		return strings.Join(maskIDs(archive.SplitList(value)), "; ")
	case "names":
		return strings.Join(archive.SplitList(value), "; ")
	case "text":
		return s.T(r, "archive.characters", len([]rune(value)))
	case "restricted": // kept as the database's true or false
		if value == "true" {
			return s.T(r, "archive.yes")
		}
		return s.T(r, "archive.no")
	case "record_type":
		if value == "" {
			return s.T(r, "archive.type_none")
		}
		return s.translate(Lang(r.Context()), "archive.type_"+value)
	}
	return value
}

// recordFields is the correction form filled with the record's values.
// National IDs are not put in the page: the field stays empty, which
// leaves them as they are.
func recordFields(rec archive.Record) []fieldView {
	restricted := "no"
	if rec.Restricted {
		restricted = "yes"
	}
	values := map[string]string{"record_type": rec.RecordType, "reference": rec.Reference,
		"title": rec.Title, "date": rec.Date, "names": strings.Join(rec.Names, "; "),
		"parcel": rec.Parcel, "plot": rec.Plot, "neighbourhood": rec.Neighbourhood,
		"street": rec.Street, "source": rec.Source, "restricted": restricted}
	var out []fieldView
	for _, f := range archive.EditableFields {
		out = append(out, fieldView{Name: f, Value: values[f], Long: f == "names"})
	}
	return out
}

// archiveEdit corrects a record's fields from the form; every field sent
// goes to Update, which records only those that changed, with the reason.
func (s *Server) archiveEdit(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if err := r.ParseForm(); err != nil {
		return sijil.Errorf(sijil.Invalid, "archive.bad_form", "The form could not be read.")
	}
	var u archive.Update
	var err error
	for _, f := range archive.EditableFields {
		value, sent := r.PostForm[f]
		switch {
		case f == "restricted":
			v := "no"
			if r.PostFormValue(f) == "yes" {
				v = "yes"
			}
			err = u.Set(f, v)
		case !sent:
			continue
		case f == "national_ids" && strings.TrimSpace(value[0]) == "":
			continue // the field is empty in the form: keep them
		default:
			err = u.Set(f, value[0])
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		change := archive.Change{By: CurrentUser(r.Context()).Login,
			Reason: r.PostFormValue("reason"),
			Audit:  s.archiveAudit(r, "record.edit", "record", "corrected the record's fields")}
		_, err = s.cfg.Archive.Update(r.Context(), id, u, change)
	}
	if err != nil && sijil.KindOf(err) != sijil.Invalid {
		return err
	}
	if err != nil {
		return s.showEditForm(w, r, id, err)
	}

	http.Redirect(w, r, "/archive/records/"+url.PathEscape(id)+"?done=edited#history",
		http.StatusSeeOther)
	return nil
}

// showEditForm shows the record page again with the correction form open,
// what was typed in it, and err next to its field.
func (s *Server) showEditForm(w http.ResponseWriter, r *http.Request, id string,
	err error) error {
	v, lerr := s.loadRecord(r, id, "", 1)
	if lerr != nil {
		return lerr
	}
	v.Editing = true
	field := fieldOf(err)
	for i := range v.Fields {
		f := &v.Fields[i]
		if typed, ok := r.PostForm[f.Name]; ok {
			f.Value = typed[0]
		}
		if f.Name == field {
			f.Error = s.userMessage(Lang(r.Context()), err)
		}
	}
	v.Reason = r.PostFormValue("reason")
	if field == "reason" {
		v.ReasonError = s.userMessage(Lang(r.Context()), err)
	}
	return s.showForm(w, r, "archive_record.html", Page{Title: s.recordTitle(r, v.Rec), Data: v},
		err)
}

// fieldOf names the form field an archive refusal is about, or "".
func fieldOf(err error) string {
	key, msg := sijil.UserMessage(err)
	switch key {
	case "archive.record_type", "archive.date", "archive.restricted":
		return strings.TrimPrefix(key, "archive.")
	case "archive.date_future", "archive.date_impossible", "archive.date_too_old":
		return "date"
	case "archive.name":
		return "names"
	case "archive.national_id":
		return "national_ids"
	case "archive.no_reason":
		return "reason"
	case "archive.too_long", "archive.not_utf8", "archive.control_chars":
		// The message starts with the field's name.
		name, _, _ := strings.Cut(msg, " ")
		if name == "who" {
			return ""
		}
		return name
	}
	return ""
}

// pageTextView is the form correcting one page's OCR text.
type pageTextView struct {
	Rec  archive.Record
	Page archive.Page
}

func (s *Server) archivePageTextForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadPage(r)
	if err != nil {
		return err
	}
	s.show(w, r, http.StatusOK, "archive_page_text.html", Page{
		Title: s.T(r, "archive.page_text_title", v.Page.Number), Data: v})
	return nil
}

// loadPage reads the record and page the URL names, through ViewRecord.
func (s *Server) loadPage(r *http.Request) (pageTextView, error) {
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil {
		return pageTextView{}, sijil.Errorf(sijil.NotFound, "web.not_found",
			"There is no such page.")
	}
	rec, pages, err := s.cfg.Archive.ViewRecord(r.Context(), chi.URLParam(r, "id"),
		CurrentUser(r.Context()).Login)
	if err != nil {
		return pageTextView{}, err
	}
	if rec.Restricted {
		if err := s.auditArchive(r, "record.view_restricted", "record", rec.ID,
			"viewed page "+strconv.Itoa(n)+"'s text of the restricted record"); err != nil {
			return pageTextView{}, err
		}
	}
	for _, p := range pages {
		if p.Number == n {
			return pageTextView{Rec: rec, Page: p}, nil
		}
	}
	return pageTextView{}, sijil.Errorf(sijil.NotFound, "archive.page_not_found",
		"record %s has no page %d", rec.ID, n)
}

func (s *Server) archivePageText(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadPage(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return sijil.Errorf(sijil.Invalid, "archive.bad_form", "The form could not be read.")
	}
	if _, sent := r.PostForm["text"]; !sent {
		// A form cut short, or no form of ours: emptying the page's text
		// would be a correction nobody made.
		return sijil.Errorf(sijil.Invalid, "archive.page_text_missing",
			"the form sent no page text; nothing was changed")
	}

	change := archive.Change{By: CurrentUser(r.Context()).Login,
		Reason: r.PostFormValue("reason"), Audit: s.archiveAudit(r, "record.page_text_edit",
			"record", "corrected the text of page "+strconv.Itoa(v.Page.Number))}
	_, err = s.cfg.Archive.EditPageText(r.Context(), v.Rec.ID, v.Page.Number,
		r.PostFormValue("text"), change)
	if err != nil {
		v.Page.Text = r.PostFormValue("text")
		return s.showForm(w, r, "archive_page_text.html", Page{
			Title: s.T(r, "archive.page_text_title", v.Page.Number), Data: v}, err)
	}

	http.Redirect(w, r, "/archive/records/"+url.PathEscape(v.Rec.ID)+"?done=text#history",
		http.StatusSeeOther)
	return nil
}

// recordTitle is how a page names a record in its title: its own title,
// else its type and reference number, else its file's name.
func (s *Server) recordTitle(r *http.Request, rec archive.Record) string {
	switch {
	case rec.Title != "":
		return rec.Title
	case rec.Reference != "" && rec.RecordType != "":
		return s.translate(Lang(r.Context()), "archive.type_"+rec.RecordType) + " " +
			rec.Reference
	case rec.Reference != "":
		return rec.Reference
	}
	return rec.Filename
}

// maxEvents is how many of a record's latest events its page lists.
const maxEvents = 200

// maskIDs masks national IDs as every page does, on a screen someone may
// look over.
func maskIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			out = append(out, sijil.MaskNationalID(id))
		}
	}
	return out
}

// auditArchive appends an archivist's action that changes nothing in the
// archive (a view of a restricted record, a file uploaded again) to the
// audit trail; a change's entry goes in with it, by archiveAudit. The
// archive keeps its own events too; the trail is what an admin reads.
func (s *Server) auditArchive(r *http.Request, action, kind, id, detail string) error {
	return s.auditAs(r, accounts.RoleArchivist, action, kind, id, detail)
}

// eventView is an event as the record page lists it. Detail is in the
// reader's language, or in English, as recorded, when English is set: a
// detail of a form the catalogs do not know.
type eventView struct {
	archive.Event
	Detail  string
	English bool
}

func (s *Server) eventView(r *http.Request, e archive.Event) eventView {
	phrases, ok := e.DetailPhrases()
	if !ok {
		return eventView{Event: e, Detail: e.Detail, English: e.Detail != ""}
	}
	return eventView{Event: e, Detail: s.phrasesText(Lang(r.Context()), phrases)}
}

// phrasesText is a detail read as phrases, in lang, joined as a list.
func (s *Server) phrasesText(lang string, phrases []archive.Phrase) string {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = s.phraseText(lang, p)
	}
	return strings.Join(parts, s.translate(lang, "archive.detail_and"))
}

// phraseText is one phrase in lang, the codes and lists among its values
// translated first. A counting text takes its count as its last value.
func (s *Server) phraseText(lang string, p archive.Phrase) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		switch a := a.(type) {
		case archive.Phrase:
			args[i] = s.phraseText(lang, a)
		case []archive.Phrase:
			args[i] = s.phrasesText(lang, a)
		default:
			args[i] = a
		}
	}
	if _, counts := s.catalogs[lang][p.Key+"#other"]; counts && len(args) > 0 {
		if n, err := strconv.Atoi(fmt.Sprint(args[len(args)-1])); err == nil {
			return s.translateN(lang, p.Key, n, args...)
		}
	}
	return s.translate(lang, p.Key, args...)
}
