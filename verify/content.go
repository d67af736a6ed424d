package verify

import (
	"crypto/sha256"
	"fmt"

	"github.com/sijil-municipality/sijil"
)

// Content is everything a certificate certifies, in its canonical form: its
// deterministic CBOR encoding is embedded in the PDF and kept by the
// issuing office, and its SHA-256 is signed in the QR token.
type Content struct {
	Kind     Kind      `cbor:"kind" json:"kind"`
	Schema   uint      `cbor:"schema" json:"schema"`
	ID       string    `cbor:"id" json:"id"`
	IssuedAt int64     `cbor:"issued_at" json:"issued_at"`
	Issuer   string    `cbor:"issuer" json:"issuer"`
	Building *Building `cbor:"building,omitempty" json:"building,omitempty"`
	Craft    *Craft    `cbor:"craft,omitempty" json:"craft,omitempty"`
	Copy     *Copy     `cbor:"copy,omitempty" json:"copy,omitempty"`
}

// Building is what a building certificate (إفادة مبنى) states about a
// building as it stood before the war.
type Building struct {
	HolderName    string      `cbor:"holder_name" json:"holder_name"`
	HolderID      string      `cbor:"holder_id" json:"holder_id"`
	Parcel        string      `cbor:"parcel" json:"parcel"`
	Plot          string      `cbor:"plot" json:"plot"`
	Neighbourhood string      `cbor:"neighbourhood" json:"neighbourhood"`
	Street        string      `cbor:"street" json:"street"`
	ZoningStatus  string      `cbor:"zoning_status" json:"zoning_status"`
	AsOf          string      `cbor:"as_of" json:"as_of"`
	Floors        []Floor     `cbor:"floors" json:"floors"`
	TotalAreaM2   string      `cbor:"total_area_m2" json:"total_area_m2"`
	Records       []RecordRef `cbor:"records" json:"records"`
}

// Floor is one floor of a building. The area is a decimal string so that
// the signed bytes never depend on floating-point formatting.
type Floor struct {
	Level  string `cbor:"level" json:"level"`
	AreaM2 string `cbor:"area_m2" json:"area_m2"`
	Use    string `cbor:"use" json:"use"`
}

// Craft is what a craft certificate (إفادة حرفة) states about a trade
// practised in a shop before the war.
type Craft struct {
	ShopName      string      `cbor:"shop_name" json:"shop_name"`
	LicenceNo     string      `cbor:"licence_no" json:"licence_no"`
	HolderName    string      `cbor:"holder_name" json:"holder_name"`
	HolderID      string      `cbor:"holder_id" json:"holder_id"`
	Neighbourhood string      `cbor:"neighbourhood" json:"neighbourhood"`
	Street        string      `cbor:"street" json:"street"`
	Activity      string      `cbor:"activity" json:"activity"`
	FromYear      int         `cbor:"from_year" json:"from_year"`
	ToYear        int         `cbor:"to_year" json:"to_year"`
	Records       []RecordRef `cbor:"records" json:"records"`
}

// Copy is what a certified copy (صورة طبق الأصل) certifies: the archived
// record it reproduces and, by their SHA-256 in order, the exact page
// images printed after its cover page.
type Copy struct {
	RecordID   string   `cbor:"record_id" json:"record_id"`
	SHA256     string   `cbor:"sha256" json:"sha256"` // of the original file
	Filename   string   `cbor:"filename" json:"filename"`
	Reference  string   `cbor:"reference" json:"reference"`
	RecordType string   `cbor:"record_type" json:"record_type"`
	ArchivedOn string   `cbor:"archived_on" json:"archived_on"` // YYYY-MM-DD, UTC
	Pages      []string `cbor:"pages" json:"pages"`             // SHA-256 of each page PNG
	// The person who asked for the copy, when the request names one.
	HolderName string `cbor:"holder_name,omitempty" json:"holder_name,omitempty"`
	HolderID   string `cbor:"holder_id,omitempty" json:"holder_id,omitempty"`
}

// RecordRef names an archived record that proves the facts, by id and the
// SHA-256 of its original file, so the proof cannot be swapped later.
type RecordRef struct {
	ID     string `cbor:"id" json:"id"`
	SHA256 string `cbor:"sha256" json:"sha256"`
}

// Encode returns the canonical encoding of the content.
func (c Content) Encode() ([]byte, error) { return Marshal(c) }

// Digest returns the SHA-256 of the canonical encoding, as signed.
func Digest(encoded []byte) []byte {
	sum := sha256.Sum256(encoded)
	return sum[:]
}

// DecodeContent reads canonical content and refuses any other encoding.
func DecodeContent(data []byte) (Content, error) {
	var c Content
	if err := unmarshalCanonical(data, &c); err != nil {
		return Content{}, fmt.Errorf("%w: content: %v", ErrMalformed, err)
	}
	return c, nil
}

// Masked returns a copy of the content fit to show a verifier: the national
// ID masked. Content carries no contact details to remove.
//
// The hashes of cited records are cut to the prefix the paper prints: a
// full hash would let anyone confirm a guessed original file. A certified
// copy's hashes stay whole: its paper is the pages themselves and prints
// the original's hash.
func (c Content) Masked() Content {
	if c.Building != nil {
		b := *c.Building
		b.HolderID = sijil.MaskNationalID(b.HolderID)
		b.Records = shortRefs(b.Records)
		c.Building = &b
	}
	if c.Craft != nil {
		cr := *c.Craft
		cr.HolderID = sijil.MaskNationalID(cr.HolderID)
		cr.Records = shortRefs(cr.Records)
		c.Craft = &cr
	}
	if c.Copy != nil {
		cp := *c.Copy
		cp.HolderID = sijil.MaskNationalID(cp.HolderID)
		c.Copy = &cp
	}
	return c
}

func shortRefs(refs []RecordRef) []RecordRef {
	out := make([]RecordRef, len(refs))
	for i, r := range refs {
		out[i] = RecordRef{ID: r.ID, SHA256: shortHash(r.SHA256)}
	}
	return out
}

func shortHash(h string) string {
	if len(h) <= 12 {
		return h
	}
	return h[:12] + "…"
}
