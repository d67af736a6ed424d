// Package certsissuer issues the certificates of approved requests through
// certs, at most once per request: it adapts a *certs.Issuer to
// requests.Issuer. cmd builds one with New and hands it to requests.New.
//
// certs issues a certificate in one transaction (its row and its log leaf)
// and knows nothing of requests or keys. This package records the issue
// key in that same transaction, through the issuer's Log, so that the
// certificate and the key commit together or not at all: a second
// certificate under a key can never commit (the key's primary key refuses
// it and certs rolls back), and a retry whose first answer was lost finds
// the certificate by its key instead of issuing again.
package certsissuer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/requests"
)

// Issuer is a requests.Issuer over certs. Build it with New.
type Issuer struct {
	db    *sql.DB
	certs *certs.Issuer
}

// New returns an Issuer that issues through a copy of is, whose Blobs and
// Log are wrapped to learn each certificate's id and record its key; is
// itself is left as it was, for the command line's own issuing. db is the
// database of both certs and requests (migrated by both).
func New(db *sql.DB, is *certs.Issuer) *Issuer {
	c := *is
	c.Blobs = watchBlobs{is.Blobs}
	c.Log = keyedLog{is.Log}
	return &Issuer{db: db, certs: &c}
}

// CheckDraft refuses what issuing d would refuse, through certs' own
// checks; certs names the fields as the draft's JSON does, and the copied
// record "record".
func (is *Issuer) CheckDraft(ctx context.Context, d requests.Draft) error {
	switch {
	case d.Building != nil:
		return is.certs.CheckBuilding(ctx, BuildingRequest(*d.Building, d.RecordIDs()))
	case d.Craft != nil:
		return is.certs.CheckCraft(ctx, CraftRequest(*d.Craft, d.RecordIDs()))
	case d.Copy != nil && len(d.Records) == 1:
		return is.certs.CheckCopy(ctx, CopyRequest(*d.Copy, d.Records[0].RecordID))
	}
	return fmt.Errorf("certsissuer: a draft with no certificate's fields to check")
}

// IssueBuilding issues a building certificate under key.
func (is *Issuer) IssueBuilding(ctx context.Context, key string, d requests.BuildingDraft,
	records []string) (requests.Certificate, error) {
	req := BuildingRequest(d, records)
	return is.issue(ctx, key, func(ctx context.Context) (certs.Issued, error) {
		return is.certs.IssueBuilding(ctx, req)
	})
}

// IssueCraft issues a craft certificate under key.
func (is *Issuer) IssueCraft(ctx context.Context, key string, d requests.CraftDraft,
	records []string) (requests.Certificate, error) {
	req := CraftRequest(d, records)
	return is.issue(ctx, key, func(ctx context.Context) (certs.Issued, error) {
		return is.certs.IssueCraft(ctx, req)
	})
}

// IssueCopy issues a certified copy of record under key.
func (is *Issuer) IssueCopy(ctx context.Context, key string, d requests.CopyDraft,
	record string) (requests.Certificate, error) {
	req := CopyRequest(d, record)
	return is.issue(ctx, key, func(ctx context.Context) (certs.Issued, error) {
		return is.certs.IssueCopy(ctx, req)
	})
}

// BuildingRequest is a clerk's building draft as certs issues it, citing
// records. Issuing and superseding both start from it, so that a
// replacement certifies the draft exactly as a first issue would.
func BuildingRequest(d requests.BuildingDraft, records []string) certs.BuildingRequest {
	req := certs.BuildingRequest{HolderName: d.HolderName, HolderID: d.HolderID,
		Parcel: d.Parcel, Plot: d.Plot, Neighbourhood: d.Neighbourhood, Street: d.Street,
		ZoningStatus: d.ZoningStatus, AsOf: d.AsOf, Records: records}
	for _, f := range d.Floors {
		req.Floors = append(req.Floors, certs.FloorRequest{Level: f.Level,
			AreaM2: json.Number(f.AreaM2), Use: f.Use})
	}
	return req
}

// CraftRequest is a clerk's craft draft as certs issues it, citing records.
func CraftRequest(d requests.CraftDraft, records []string) certs.CraftRequest {
	return certs.CraftRequest{ShopName: d.ShopName, LicenceNo: d.LicenceNo,
		HolderName: d.HolderName, HolderID: d.HolderID, Neighbourhood: d.Neighbourhood,
		Street: d.Street, Activity: d.Activity, FromYear: d.FromYear, ToYear: d.ToYear,
		Records: records}
}

// CopyRequest is a clerk's copy draft as certs issues it, of record.
func CopyRequest(d requests.CopyDraft, record string) certs.CopyRequest {
	return certs.CopyRequest{Record: record, HolderName: d.HolderName, HolderID: d.HolderID}
}

// issue returns the certificate already recorded under key, or issues one
// with the key in the context for the wrapped Blobs and Log to record.
func (is *Issuer) issue(ctx context.Context, key string,
	issue func(context.Context) (certs.Issued, error)) (requests.Certificate, error) {
	if key == "" {
		return requests.Certificate{}, fmt.Errorf("certsissuer: an issue key is required")
	}
	c, err := requests.CertificateForKey(ctx, is.db, key)
	if err == nil {
		return c, nil
	}
	if sijil.KindOf(err) != sijil.NotFound {
		return requests.Certificate{}, err
	}

	out, err := issue(context.WithValue(ctx, attemptKey{}, &attempt{key: key}))
	if err != nil {
		// A call racing this one may have issued under the key, which made
		// this one roll back: its certificate is the answer.
		if c, again := requests.CertificateForKey(ctx, is.db, key); again == nil {
			return c, nil
		}
		return requests.Certificate{}, err
	}
	return requests.Certificate{ID: out.ID, PDFKey: out.PDFKey}, nil
}

// attempt is one call's issue key and, once its PDF is stored, the
// certificate's id.
type attempt struct {
	key  string
	cert requests.Certificate
}

type attemptKey struct{}

func attemptOf(ctx context.Context) *attempt {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	return a
}

// watchBlobs learns the id of the certificate being issued from the key
// its PDF is stored under: certs stores the PDF before it opens the
// transaction that records the certificate.
type watchBlobs struct{ certs.Blobs }

func (b watchBlobs) Put(ctx context.Context, key string, r io.Reader, size int64,
	contentType string) error {
	if a := attemptOf(ctx); a != nil {
		id := strings.TrimSuffix(strings.TrimPrefix(key, "certificates/"), ".pdf")
		if id != "" && certs.PDFKey(id) == key {
			a.cert = requests.Certificate{ID: id, PDFKey: key}
		}
	}
	return b.Blobs.Put(ctx, key, r, size, contentType)
}

// keyedLog records the attempt's key and certificate in the transaction
// that appends the certificate's leaf, before the leaf.
type keyedLog struct{ certs.Log }

func (l keyedLog) AppendTx(ctx context.Context, tx *sql.Tx, entry []byte) (uint64, error) {
	if a := attemptOf(ctx); a != nil {
		if a.cert.ID == "" {
			// certs changed the order of its steps: refuse rather than
			// issue a certificate whose key cannot be recorded.
			return 0, fmt.Errorf("certsissuer: the certificate's PDF was not stored " +
				"before its log leaf; cannot record the issue key")
		}
		if err := requests.RecordIssueKeyTx(ctx, tx, a.key, a.cert); err != nil {
			return 0, err
		}
	}
	return l.Log.AppendTx(ctx, tx, entry)
}
