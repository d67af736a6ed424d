package web

import (
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// Office is the municipality's side of the portal: the domains the
// citizens', clerks', archivists' and admins' pages call. A verify-only
// node leaves it empty.
type Office struct {
	// Requests holds citizens' requests and tickets, and the office's
	// steps on them; nil serves neither the citizens' request pages nor
	// the clerks' queue.
	Requests *requests.Service

	// Subscriptions is the billing snapshot a citizen's accounts come from.
	Subscriptions *subscriptions.Store

	// Archive is the records, pages, corrections, duplicates and imports;
	// Blobs holds their originals and page images; Search is the full-text
	// index over them; Ingester takes single uploads and makes the page
	// images at their first look. nil Archive serves no archive pages.
	Archive  *archive.Store
	Blobs    archive.Blobs
	Search   *index.Index
	Ingester *archive.Ingester

	// Certs revokes and supersedes issued certificates for supervisors.
	Certs *certs.Issuer

	// Audit is where the audit trail is kept and read for admins: the
	// database of Archive, in whose transactions archivists' changes write
	// their entries.
	Audit audit.Queryer
}

// actorOf is the person signed in as the requests service knows them.
func actorOf(u *accounts.User) requests.Actor {
	if u.IsStaff() {
		return requests.Staff(u.ID, u.Roles...)
	}
	return requests.Citizen(u.ID)
}
