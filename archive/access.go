package archive

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// ViewRecord returns a record and its pages for a staff member to look
// at. A restricted record's view is recorded as an event naming actor, in
// the same call, so that no page shows one unrecorded; a restricted
// record is refused (Forbidden) to an unnamed actor. Pages showing a
// record to a person call this, never RecordByID and Pages.
func (s *Store) ViewRecord(ctx context.Context, id, actor string) (Record, []Page, error) {
	rec, err := s.RecordByID(ctx, id)
	if err != nil {
		return Record{}, nil, err
	}
	if rec.Restricted {
		if err := s.recordAccess(ctx, rec, actor, EventRestrictedViewed,
			"viewed the restricted record"); err != nil {
			return Record{}, nil, err
		}
	}
	pages, err := s.Pages(ctx, id)
	if err != nil {
		return Record{}, nil, err
	}
	return rec, pages, nil
}

// ExportRecord records that actor takes a record out of Sijil (a download
// of the original or its pages, a certified copy) for purpose, and
// returns the record. Every export is an event, restricted or not. An
// original whose last fixity check failed is not handed out (Conflict).
// Call it before sending the bytes.
func (s *Store) ExportRecord(ctx context.Context, id, actor, purpose string) (Record, error) {
	rec, err := s.RecordByID(ctx, id)
	if err != nil {
		return Record{}, err
	}
	blocked, err := s.OriginalBlocked(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if blocked {
		return Record{}, sijil.Errorf(sijil.Conflict, "archive.blocked",
			"record %s failed its last fixity check; its files cannot be exported until "+
				"they are restored and 'sijil fixity' passes", id)
	}
	detail := "exported"
	if p := strings.TrimSpace(purpose); p != "" {
		detail += " for " + p
	}
	if err := s.recordAccess(ctx, rec, actor, EventExported, detail); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// recordAccess writes the event of a person's access to rec.
func (s *Store) recordAccess(ctx context.Context, rec Record, actor, kind,
	detail string) error {
	actor = strings.TrimSpace(actor)
	if actor == "" {
		return sijil.Errorf(sijil.Forbidden, "archive.anonymous_access",
			"record %s may only be seen or exported by a named staff member", rec.ID)
	}
	if err := checkLength("actor", actor); err != nil {
		return err
	}
	err := insertEvent(ctx, s.db, Event{At: time.Now(), Kind: kind, RecordID: rec.ID,
		Actor: actor, Detail: detail})
	if err != nil {
		return fmt.Errorf("archive: %s of %s not recorded, so refused: %w", kind, rec.ID, err)
	}
	return nil
}
