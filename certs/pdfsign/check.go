package pdfsign

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/smallstep/pkcs7"
)

// The ways Check fails, for errors.Is. Other errors mean the PDF or its
// signature could not be read at all.
var (
	// ErrUnsigned: the PDF has no signature field with a value.
	ErrUnsigned = errors.New("pdfsign: PDF is not signed")
	// ErrBadSignature: the bytes changed after signing (the digest does
	// not match), the CMS signature does not verify with its certificate,
	// or the CMS signing time lies outside that certificate's validity.
	ErrBadSignature = errors.New("pdfsign: signature does not match the document")
	// ErrNotWholeFile: the signature is intact, but bytes were appended
	// after it that it does not cover, so the file may show other content.
	ErrNotWholeFile = errors.New("pdfsign: signature does not cover the whole file")
)

// Info describes the last signature of a PDF.
type Info struct {
	// Signer is the certificate whose key made the signature. Check proves
	// only that this key signed; compare Signer with the office's
	// published certificate (Info.SignedBy) or verify its chain to decide
	// whether the signer is the office.
	Signer *x509.Certificate
	// Certificates are all certificates the signature carries, Signer's
	// issuers among them.
	Certificates []*x509.Certificate

	Field                  string    // the signature field's name
	Reason, Location, Name string    // the descriptive entries, as Options
	Time                   time.Time // /M: claimed by the signer, not proven
}

// SignedBy reports whether cert is the certificate that signed.
func (i Info) SignedBy(cert *x509.Certificate) bool {
	return i.Signer != nil && cert != nil && i.Signer.Equal(cert)
}

// Check finds the PDF's last signature (the one whose signed bytes reach
// furthest), and checks that the CMS verifies over its byte ranges and
// that those ranges are the whole file except the /Contents string. It
// does not decide whether the signer is trusted: see Info.Signer. When
// the error is ErrNotWholeFile the returned Info is filled in.
func Check(pdf []byte) (Info, error) {
	ctx, err := api.ReadContext(bytes.NewReader(pdf), model.NewDefaultConfiguration())
	if err != nil {
		return Info{}, fmt.Errorf("pdfsign: read PDF: %w", err)
	}

	field, sig, err := lastSignature(ctx)
	if err != nil {
		return Info{}, err
	}
	ranges, err := byteRange(sig, len(pdf))
	if err != nil {
		return Info{}, err
	}

	p7, err := parseContents(pdf[ranges[1]:ranges[2]])
	if err != nil {
		return Info{}, err
	}
	p7.Content = append(pdf[ranges[0]:ranges[1]:ranges[1]], pdf[ranges[2]:ranges[3]]...)
	if err := p7.Verify(); err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}

	info := describe(field, sig, p7)
	if ranges[3] != len(pdf) {
		return info, fmt.Errorf("%w: %d bytes appended after it", ErrNotWholeFile,
			len(pdf)-ranges[3])
	}
	return info, nil
}

// lastSignature returns the name and signature dictionary of the field
// whose /ByteRange ends last in the file: each signature of a re-signed
// PDF covers the ones before it.
func lastSignature(ctx *model.Context) (string, types.Dict, error) {
	form, err := ctx.DereferenceDict(ctx.RootDict["AcroForm"])
	if err != nil {
		return "", nil, fmt.Errorf("pdfsign: read AcroForm: %w", err)
	}
	fields, err := ctx.DereferenceArray(form["Fields"])
	if err != nil {
		return "", nil, fmt.Errorf("pdfsign: read AcroForm fields: %w", err)
	}

	var name string
	var last types.Dict
	end := -1
	for _, f := range fields {
		d, err := ctx.DereferenceDict(f)
		if err != nil || d == nil {
			continue // not a field: nothing of ours can be here
		}
		sig, err := ctx.DereferenceDict(d["V"])
		if err != nil || sig == nil || sig.ArrayEntry("ByteRange") == nil {
			continue
		}
		if e := rangeEnd(sig.ArrayEntry("ByteRange")); e > end {
			end, last = e, sig
			name, _ = model.Text(d["T"])
		}
	}
	if last == nil {
		return "", nil, ErrUnsigned
	}
	return name, last, nil
}

// rangeEnd is where a byte range's second part ends, -1 if malformed.
func rangeEnd(br types.Array) int {
	if len(br) != 4 {
		return -1
	}
	off, okOff := br[2].(types.Integer)
	n, okN := br[3].(types.Integer)
	if !okOff || !okN {
		return -1
	}
	return off.Value() + n.Value()
}

// byteRange returns the signature's /ByteRange as four offsets: the first
// part is [0]..[1], the second [2]..[3]. Only the /Contents hex string may
// lie between them, so that no unsigned bytes hide in the gap.
func byteRange(sig types.Dict, size int) ([4]int, error) {
	var r [4]int
	br := sig.ArrayEntry("ByteRange")
	for i := 0; i < len(br) && i < 4; i++ {
		n, ok := br[i].(types.Integer)
		if !ok {
			return r, fmt.Errorf("%w: /ByteRange holds %v", ErrBadSignature, br[i])
		}
		r[i] = n.Value()
	}
	r[3] += r[2]

	if len(br) != 4 || r[0] != 0 || r[1] <= 0 || r[2] <= r[1]+1 || r[3] < r[2] || r[3] > size {
		return r, fmt.Errorf("%w: bad /ByteRange %v", ErrBadSignature, br)
	}
	return r, nil
}

// parseContents decodes the /Contents string between the byte ranges. The
// placeholder is padded with zeros after the DER, which the parser would
// reject as trailing data.
func parseContents(gap []byte) (*pkcs7.PKCS7, error) {
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		return nil, fmt.Errorf("%w: the gap in /ByteRange is not a hex string", ErrBadSignature)
	}
	raw := make([]byte, hex.DecodedLen(len(gap)-2))
	if _, err := hex.Decode(raw, gap[1:len(gap)-1]); err != nil {
		return nil, fmt.Errorf("%w: /Contents: %w", ErrBadSignature, err)
	}

	var der asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &der); err != nil {
		return nil, fmt.Errorf("%w: /Contents is not DER: %w", ErrBadSignature, err)
	}
	p7, err := pkcs7.Parse(der.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: /Contents is not CMS: %w", ErrBadSignature, err)
	}
	return p7, nil
}

// describe collects what Info reports. The descriptive entries are
// optional, so unreadable ones are left empty rather than failing a
// signature that verified.
func describe(field string, sig types.Dict, p7 *pkcs7.PKCS7) Info {
	info := Info{Signer: p7.GetOnlySigner(), Certificates: p7.Certificates, Field: field}
	info.Reason, _ = model.Text(sig["Reason"])
	info.Location, _ = model.Text(sig["Location"])
	info.Name, _ = model.Text(sig["Name"])
	if m, err := model.Text(sig["M"]); err == nil {
		info.Time, _ = types.DateTime(m, true)
	}
	return info
}
