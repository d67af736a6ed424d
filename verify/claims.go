// Package verify checks Sijil certificates with public data only: the
// signed token carried in the QR code, the published key set and, when it is
// at hand, the certificate's canonical content. It never imports the
// archive or the citizens' data, so a verify node runs with nothing else.
package verify

import (
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Kind is the sort of certificate a token certifies. It is signed, so a
// building certificate can never be passed off as another kind.
type Kind uint8

// The kinds of certificate. Values are part of the signed format: never
// renumber them.
const (
	KindBuilding Kind = 1
	KindCraft    Kind = 2
	KindCopy     Kind = 3
)

// String returns the kind's name as used in JSON and on the command line.
func (k Kind) String() string {
	switch k {
	case KindBuilding:
		return "building"
	case KindCraft:
		return "craft"
	case KindCopy:
		return "copy"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalJSON writes the kind by name, as people and other systems read it;
// the signed CBOR keeps the number.
func (k Kind) MarshalJSON() ([]byte, error) { return []byte(`"` + k.String() + `"`), nil }

// UnmarshalJSON reads a kind written by MarshalJSON.
func (k *Kind) UnmarshalJSON(b []byte) error {
	for _, known := range []Kind{KindBuilding, KindCraft, KindCopy} {
		if string(b) == `"`+known.String()+`"` {
			*k = known
			return nil
		}
	}
	return fmt.Errorf("unknown certificate kind %s", b)
}

// SchemaVersion is the version of the claims and content layout this code
// writes and reads.
const SchemaVersion = 1

// IDBytes is the length of a certificate id: 80 random bits, so ids cannot
// be guessed or enumerated.
const IDBytes = 10

// Claims is what the QR code's token signs. It is small on purpose: the QR
// must scan when printed at about 3 cm, so the certified content itself is
// bound by its digest, not carried.
type Claims struct {
	Kind     Kind   `cbor:"1,keyasint"`
	Schema   uint   `cbor:"2,keyasint"`
	ID       []byte `cbor:"3,keyasint"`
	IssuedAt int64  `cbor:"4,keyasint"` // Unix seconds, UTC
	Digest   []byte `cbor:"5,keyasint"` // SHA-256 of the canonical content
}

// Issued returns the signed issue time.
func (c Claims) Issued() time.Time { return time.Unix(c.IssuedAt, 0).UTC() }

// CertID returns the certificate id in the form printed on paper.
func (c Claims) CertID() string { return FormatID(c.ID) }

// encMode encodes with RFC 8949 core deterministic rules, so that the same
// claims or content always give the same bytes and the same digest.
var encMode = mustEncMode()

// decMode refuses everything a canonical encoder would never write:
// duplicate keys, indefinite lengths, tags and unknown fields.
var decMode = mustDecMode()

func mustEncMode() cbor.EncMode {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err) // the options are constant; this cannot fail at run time
	}
	return em
}

func mustDecMode() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		UTF8:              cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err) // the options are constant; this cannot fail at run time
	}
	return dm
}

// Marshal returns the canonical CBOR encoding of v.
func Marshal(v any) ([]byte, error) { return encMode.Marshal(v) }

// unmarshalCanonical decodes data into v and fails unless data is exactly
// the canonical encoding of the result: one value has one encoding.
func unmarshalCanonical(data []byte, v any) error {
	if err := decMode.Unmarshal(data, v); err != nil {
		return err
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return err
	}
	if string(again) != string(data) {
		return fmt.Errorf("not in canonical form")
	}
	return nil
}
