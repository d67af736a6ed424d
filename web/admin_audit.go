package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/audit"
)

// auditView is the audit page: the chain's check, the filter as typed,
// one page of events and the link to the next.
type auditView struct {
	Report *audit.Report // the chain's check, on the first page only
	Events []auditRow
	Next   string
	Filter url.Values

	// The actions and kinds of object the filter offers, by name.
	Actions, Kinds []auditOption
}

// auditOption is one code the filter offers, named in the reader's
// language.
type auditOption struct {
	Code, Label string
	Selected    bool
}

// auditOptions lists the codes the catalog names under prefix, sorted by
// name, and the one chosen even when no catalog names it: the trail
// keeps every code ever written, and a link may filter by any of them.
func (s *Server) auditOptions(lang, prefix, chosen string) []auditOption {
	var out []auditOption
	seen := false
	for key, label := range s.catalogs[lang] {
		code, ok := strings.CutPrefix(key, prefix)
		if !ok {
			continue
		}
		seen = seen || code == chosen
		out = append(out, auditOption{Code: code, Label: label, Selected: code == chosen})
	}
	if chosen != "" && !seen {
		out = append(out, auditOption{Code: chosen, Label: chosen, Selected: true})
	}
	slices.SortFunc(out, func(a, b auditOption) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// auditRow is one event as an admin reads it: who by name, and any
// national ID in it masked.
type auditRow struct {
	audit.Event
	Actor      string // the account's name and sign-in name
	OnlyActor  string // the page filtered to this actor
	OnlyObject string // the page filtered to this object
	ObjectShow string
	DetailShow string

	// Names of the codes in the reader's language; the page shows the code
	// too, since the filter takes it.
	ActionLabel, KindLabel, RoleLabel string
}

// auditLabel is the catalog's name for an audit code under the first of
// keys it has, else the code itself: the trail keeps every code ever
// written, and a code no catalog names must still show.
func (s *Server) auditLabel(lang, code string, keys ...string) string {
	for _, k := range keys {
		if text, ok := s.catalogs[lang][k]; ok {
			return text
		}
	}
	return code
}

// adminAudit shows the audit trail newest first, filtered by actor,
// action, object and time, with the chain's check on top: a row deleted
// or edited since it was written shows there.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lang := Lang(r.Context())
	v := auditView{Filter: q,
		Actions: s.auditOptions(lang, "audit_action.", strings.TrimSpace(q.Get("action"))),
		Kinds:   s.auditOptions(lang, "audit_kind.", strings.TrimSpace(q.Get("kind")))}
	p := Page{Title: s.T(r, "admin.audit_title"), Data: &v}
	f, err := auditFilter(q)
	if err == nil {
		var page audit.Page
		if page, err = audit.Find(r.Context(), s.cfg.Audit, f); err == nil {
			v.Events = s.auditRows(r, page.Events)
			if page.Next > 0 {
				next := url.Values{}
				for k, vs := range q {
					next[k] = vs
				}
				next.Set("before", strconv.FormatInt(page.Next, 10))
				v.Next = "/admin/audit?" + next.Encode()
			}
		}
	}
	if err != nil && sijil.KindOf(err) != sijil.Invalid {
		return err
	}
	if err != nil {
		s.logFailure(r, http.StatusBadRequest, err)
		p.Error = s.userMessage(Lang(r.Context()), err)
	}

	// Verify reads the whole chain, in pages: a few milliseconds for a
	// year of an office's events, but more each year, so only the first
	// page of the trail checks it, not each older page the admin turns to.
	// TODO(#5): check against anchors the admin wrote down, once the page
	// can record them.
	if q.Get("before") == "" {
		report, err := audit.Verify(r.Context(), s.cfg.Audit)
		if err != nil {
			return err
		}
		v.Report = &report
	}
	status := http.StatusOK
	if p.Error != "" {
		status = http.StatusBadRequest
	}
	s.show(w, r, status, "admin_audit.html", p)
	return nil
}

// auditFilter reads the filter form; dates are whole UTC days, the
// second one included.
func auditFilter(q url.Values) (audit.Filter, error) {
	f := audit.Filter{ActorID: strings.TrimSpace(q.Get("actor")),
		Action: strings.TrimSpace(q.Get("action")), ObjectKind: strings.TrimSpace(q.Get("kind")),
		ObjectID: strings.TrimSpace(q.Get("object"))}
	badDate := sijil.Errorf(sijil.Invalid, "admin.bad_date",
		"Write a date as YYYY-MM-DD.")
	if d := strings.TrimSpace(q.Get("since")); d != "" {
		t, err := time.Parse(time.DateOnly, sijil.NormalizeDigits(d))
		if err != nil {
			return f, badDate
		}
		f.Since = t
	}
	if d := strings.TrimSpace(q.Get("until")); d != "" {
		t, err := time.Parse(time.DateOnly, sijil.NormalizeDigits(d))
		if err != nil {
			return f, badDate
		}
		f.Until = t.AddDate(0, 0, 1)
	}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return f, sijil.Errorf(sijil.Invalid, "admin.bad_cursor",
				"This link to a page of the trail is broken; start from the first page.")
		}
		f.Before = n
	}
	return f, nil
}

// auditRows names each event's actor once per page, and masks national
// IDs wherever an event's words may hold one.
func (s *Server) auditRows(r *http.Request, events []audit.Event) []auditRow {
	names := map[string]string{}
	rows := make([]auditRow, len(events))
	for i, e := range events {
		name, ok := names[e.ActorID]
		if !ok {
			name = s.actorName(r, e.ActorID)
			names[e.ActorID] = name
		}
		lang := Lang(r.Context())
		rows[i] = auditRow{Event: e, Actor: name, ObjectShow: maskDigits(e.ObjectID),
			ActionLabel: s.auditLabel(lang, e.Action, "audit_action."+e.Action,
				"requests.event_"+strings.TrimPrefix(e.Action, "request.")),
			KindLabel:  s.auditLabel(lang, e.ObjectKind, "audit_kind."+e.ObjectKind),
			RoleLabel:  s.auditLabel(lang, e.ActorRole, "role."+e.ActorRole),
			DetailShow: maskDigits(e.Detail),
			OnlyActor:  "/admin/audit?" + url.Values{"actor": {e.ActorID}}.Encode(),
			OnlyObject: "/admin/audit?" + url.Values{"kind": {e.ObjectKind},
				"object": {e.ObjectID}}.Encode()}
	}
	return rows
}

// actorName is how the page names an account: its name, and for staff
// their sign-in name; the id itself when the account cannot be read.
func (s *Server) actorName(r *http.Request, id string) string {
	if s.cfg.Accounts == nil || id == "" {
		return id
	}
	u, err := s.cfg.Accounts.UserByID(r.Context(), id)
	if err != nil {
		return id
	}
	if u.IsStaff() {
		return u.FullName + " (" + u.Login + ")"
	}
	return u.FullName
}

// word is a run of letters and digits, in any script: a national ID is a
// word of nine digits, never the digits inside a record's hex id.
var word = regexp.MustCompile(`[\p{L}\p{Nd}_]+`)

// maskDigits masks every word of nine digits, the length of a national
// ID, as every page masks one: the trail never shows one in clear, even
// where a detail quoted one by mistake. Ids such as rec_401a480158198b24
// stay whole, or the admin could not find the record they name.
func maskDigits(s string) string {
	return word.ReplaceAllStringFunc(s, func(w string) string {
		if utf8.RuneCountInString(w) != 9 || strings.IndexFunc(w, notDigit) >= 0 {
			return w
		}
		return sijil.MaskNationalID(w)
	})
}

func notDigit(r rune) bool { return !unicode.IsDigit(r) }

// auditAs appends the signed-in person's action, in role, to the audit
// trail; the HTTP request id ties it to the log lines.
func (s *Server) auditAs(r *http.Request, role, action, kind, id, detail string) error {
	if s.cfg.Audit == nil {
		return nil
	}
	_, err := audit.Append(r.Context(), s.cfg.Audit, auditEvent(r, role, action, kind, id,
		detail))
	return err
}

// archiveAudit is the trail entry of an archivist's change for the archive
// to write inside the change's own transaction (see archive.Audit), with
// the id of what changed; nil when the server keeps no trail.
func (s *Server) archiveAudit(r *http.Request, action, kind, detail string) archive.Audit {
	if s.cfg.Audit == nil {
		return nil
	}
	return func(ctx context.Context, tx *sql.Tx, id string) error {
		_, err := audit.Append(ctx, tx, auditEvent(r, accounts.RoleArchivist, action, kind,
			id, detail))
		return err
	}
}

// auditEvent is the signed-in person's action as the trail records it.
func auditEvent(r *http.Request, role, action, kind, id, detail string) audit.Event {
	return audit.Event{ActorID: CurrentUser(r.Context()).ID, ActorRole: role,
		Action: action, ObjectKind: kind, ObjectID: id,
		RequestID: middleware.GetReqID(r.Context()), Detail: detail}
}
