// Package pdfsign signs finished certificate PDFs so that standard PDF
// tools (poppler's pdfsig, Acrobat, pdfcpu) can check them offline.
//
// Sign appends an incremental update to the PDF: the original bytes stay a
// prefix of the result, so whatever hash or archive copy was taken of them
// still matches. The update adds an invisible signature field on page 1
// and a signature dictionary whose /Contents holds a detached CMS
// (PKCS #7) SignedData over every byte of the file except /Contents itself.
package pdfsign

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/smallstep/pkcs7"
)

// Signer is the key and certificates a PDF is signed with.
type Signer struct {
	Key  crypto.Signer     // ECDSA or RSA; may live in an HSM
	Cert *x509.Certificate // certificate of Key, embedded in the signature
	// Chain holds the issuers of Cert, nearest first, embedded so that a
	// verifier that trusts only the root can build the path. Empty for a
	// self-signed Cert.
	Chain []*x509.Certificate
}

// Options are the signature's descriptive entries, shown by PDF viewers.
// They may be in Arabic.
type Options struct {
	Reason   string    // why the document was signed, e.g. "Certificate issued"
	Location string    // where, e.g. the municipality's city
	Name     string    // who, e.g. the office's name
	Time     time.Time // the /M entry; the zero value means now
}

// maxInput bounds the PDFs Sign accepts: offsets are written in 32 bits.
const maxInput = 1 << 30

// Sign returns pdf with a signature appended as an incremental update.
// pdf must be an unencrypted PDF with at least one page; it may use a
// cross-reference table or streams, and may already be signed, in which
// case the new signature covers the earlier one too.
func Sign(pdf []byte, s Signer, o Options) ([]byte, error) {
	if s.Key == nil || s.Cert == nil {
		return nil, errors.New("pdfsign: signer has no key or certificate")
	}
	if len(pdf) > maxInput {
		return nil, fmt.Errorf("pdfsign: PDF larger than %d MB", maxInput>>20)
	}
	if o.Time.IsZero() {
		o.Time = time.Now()
	}

	doc, err := readDocument(pdf)
	if err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}

	u := newUpdate(pdf, *doc.ctx.Size)
	sig, err := addField(u, doc, o, contentsSize(s))
	if err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}
	out := u.finish(doc)

	if err := sig.fill(out, s); err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}
	return out, nil
}

// contentsSize is how many bytes of CMS the /Contents placeholder holds:
// the certificates, plus room for the signature, attributes and ASN.1
// framing of any RSA key up to 8192 bits.
func contentsSize(s Signer) int {
	n := 4096 + len(s.Cert.Raw)
	for _, c := range s.Chain {
		n += len(c.Raw)
	}
	return n
}

// placeholder locates the /ByteRange and /Contents values in the output.
type placeholder struct {
	byteRange int // offset of the ByteRange array's '['
	contents  int // offset of the /Contents hex string's '<'
	size      int // capacity of /Contents in bytes
}

// byteRangeWidth fits "[0 a b c]" for any file below maxInput, padded with
// spaces, which the PDF syntax ignores.
const byteRangeWidth = 40

// sigDict writes the signature dictionary as object nr.
func sigDict(u *update, nr int, o Options, size int) placeholder {
	u.begin(nr, 0)
	u.buf.WriteString("<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached\n")
	ph := placeholder{byteRange: u.buf.Len() + len("/ByteRange"), size: size}
	u.buf.WriteString("/ByteRange[" + string(bytes.Repeat([]byte{' '}, byteRangeWidth-2)) + "]\n")
	ph.contents = u.buf.Len() + len("/Contents")
	u.buf.WriteString("/Contents<" + string(bytes.Repeat([]byte{'0'}, 2*size)) + ">\n")
	fmt.Fprintf(u.buf, "/M%s", text(pdfDate(o.Time)))
	for _, e := range [...][2]string{
		{"Reason", o.Reason}, {"Location", o.Location}, {"Name", o.Name},
	} {
		if e[1] != "" { // viewers show an empty entry as a blank line
			fmt.Fprintf(u.buf, "/%s%s", e[0], text(e[1]))
		}
	}
	u.buf.WriteString(">>")
	u.end()
	return ph
}

// fill writes the byte ranges, signs them and writes the CMS into the
// placeholder. out must be the complete file: the second range ends at
// its last byte.
func (ph placeholder) fill(out []byte, s Signer) error {
	gap := ph.contents + 2*ph.size + 2 // just past the '>'
	br := fmt.Sprintf("0 %d %d %d", ph.contents, gap, len(out)-gap)
	if len(br) > byteRangeWidth-2 {
		return errors.New("byte range does not fit its placeholder")
	}
	copy(out[ph.byteRange+1:], br)

	signed := make([]byte, 0, len(out)-(gap-ph.contents))
	signed = append(append(signed, out[:ph.contents]...), out[gap:]...)
	cms, err := signedData(signed, s)
	if err != nil {
		return err
	}
	if len(cms) > ph.size {
		return fmt.Errorf("signature of %d bytes exceeds its %d-byte placeholder",
			len(cms), ph.size)
	}
	hex.Encode(out[ph.contents+1:], cms)
	return nil
}

// signedData makes a detached CMS SignedData over content with SHA-256.
func signedData(content []byte, s Signer) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("start CMS: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(s.Cert, s.Key, s.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("sign CMS: %w", err)
	}
	sd.Detach()

	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("encode CMS: %w", err)
	}
	return der, nil
}

// text encodes s as a PDF text string: a literal for printable ASCII, and
// UTF-16BE with a byte order mark otherwise, since PDFDocEncoding has no
// Arabic.
func text(s string) string {
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return types.HexLiteral(hex.EncodeToString(
				[]byte(types.EncodeUTF16String(s)))).PDFString()
		}
	}
	return types.StringLiteral(escape(s)).PDFString()
}

// escape protects the characters that end or escape a literal string.
func escape(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		if c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pdfDate formats t as a PDF date, D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off/60%60)
}
