package main

import (
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/index"
	"github.com/sijil-municipality/sijil/notify"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/requests/certsissuer"
	"github.com/sijil-municipality/sijil/requests/notices"
	"github.com/sijil-municipality/sijil/web"
)

// office wires the domains behind the portal's pages on the data folder:
// requests that issue through certs at publicURL and tell citizens through
// notifier, the billing snapshot, the archive with its index and ingester,
// and the audit trail.
func (a *app) office(publicURL string, accts *accounts.Service,
	notifier notify.Notifier) (web.Office, error) {
	is, err := a.issuer(publicURL)
	if err != nil {
		return web.Office{}, err
	}
	reqs, err := requests.New(requests.Config{DB: a.db, Blobs: a.blobs,
		Issuer:   certsissuer.New(a.db, is),
		Notifier: notices.Sender{Users: accts, Notifier: notifier},
		Logger:   a.log})
	if err != nil {
		return web.Office{}, err
	}
	subs, err := a.subscriptions()
	if err != nil {
		return web.Office{}, err
	}
	in, err := a.ingester()
	if err != nil {
		return web.Office{}, err
	}
	idx, err := a.index()
	if err != nil {
		return web.Office{}, err
	}
	return web.Office{
		Requests:      reqs,
		Subscriptions: subs,
		Archive:       archive.NewStore(a.db).WithIndexer(index.Archive{Index: idx}),
		Blobs:         a.blobs,
		Search:        idx,
		Ingester:      in,
		Certs:         is,
		Audit:         a.db,
	}, nil
}
