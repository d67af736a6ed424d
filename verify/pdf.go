package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/sijil-municipality/sijil/certs/pdfsign"
)

// The files embedded in every certificate PDF, so that the PDF alone can be
// verified end to end without a connection.
const (
	ContentAttachment = "sijil-certificate.cbor"
	QRAttachment      = "sijil-qr.txt"
)

// maxPDFBytes bounds what the offline verifier and the drop-a-PDF page read.
const maxPDFBytes = 20 << 20

// EmbedContent returns the PDF with the canonical content and the QR text
// attached as embedded files.
func EmbedContent(pdf, content []byte, qrText string) ([]byte, error) {
	conf := model.NewDefaultConfiguration()
	conf.Cmd = model.ADDATTACHMENTS
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(pdf), conf)
	if err != nil {
		return nil, fmt.Errorf("embed content: read PDF: %w", err)
	}

	// A fixed modification time keeps the output a function of its inputs.
	epoch := time.Unix(0, 0).UTC()
	for _, a := range []model.Attachment{
		{Reader: bytes.NewReader(content), ID: ContentAttachment, FileName: ContentAttachment,
			Desc: "Canonical certificate content (CBOR)", ModTime: &epoch},
		{Reader: bytes.NewReader([]byte(qrText)), ID: QRAttachment, FileName: QRAttachment,
			Desc: "Text of the certificate's QR code", ModTime: &epoch},
	} {
		if err := ctx.AddAttachment(a, false); err != nil {
			return nil, fmt.Errorf("embed content: %w", err)
		}
	}

	var out bytes.Buffer
	if err := api.Write(ctx, &out, conf); err != nil {
		return nil, fmt.Errorf("embed content: write PDF: %w", err)
	}
	return out.Bytes(), nil
}

// FromPDF returns the QR text and the canonical content embedded in a
// certificate PDF.
func FromPDF(pdf []byte) (qrText string, content []byte, err error) {
	if len(pdf) > maxPDFBytes {
		return "", nil, fmt.Errorf("%w: PDF larger than %d MB", ErrMalformed, maxPDFBytes>>20)
	}
	atts, err := api.ExtractAttachmentsRaw(bytes.NewReader(pdf), "", nil,
		model.NewDefaultConfiguration())
	if err != nil {
		return "", nil, fmt.Errorf("%w: not a readable PDF: %v", ErrMalformed, err)
	}

	for _, a := range atts {
		data, err := io.ReadAll(io.LimitReader(a, maxPDFBytes))
		if err != nil {
			return "", nil, fmt.Errorf("%w: attachment %s: %v", ErrMalformed, a.FileName, err)
		}
		switch a.FileName {
		case ContentAttachment:
			content = data
		case QRAttachment:
			qrText = string(data)
		}
	}
	if qrText == "" || content == nil {
		return "", nil, fmt.Errorf("%w: the PDF carries no Sijil certificate data", ErrMalformed)
	}
	return qrText, content, nil
}

// CheckPDFSignature checks that the PDF carries a signature over the whole
// file made with one of the key set's PDF certificates. It is what binds
// the printed page to the office: the embedded content alone proves only
// the data, not what the page shows.
func CheckPDFSignature(pdf []byte, ks *KeySet) error {
	info, err := pdfsign.Check(pdf)
	switch {
	case errors.Is(err, pdfsign.ErrUnsigned):
		return fmt.Errorf("%w: the PDF carries no signature", ErrPDFSignature)
	case errors.Is(err, pdfsign.ErrNotWholeFile):
		return fmt.Errorf("%w: the PDF was changed after it was signed", ErrPDFSignature)
	case err != nil:
		return fmt.Errorf("%w: the PDF was altered after it was signed", ErrPDFSignature)
	}
	for _, der := range ks.PDFCertificates {
		if bytes.Equal(info.Signer.Raw, der) {
			return nil
		}
	}
	return fmt.Errorf("%w: the PDF was signed by someone other than the municipality",
		ErrPDFSignature)
}

// ErrPDFSignature is wrapped by every reason a PDF's signature fails.
var ErrPDFSignature = errors.New("PDF signature check failed")

// CheckPDF verifies a certificate PDF with no connection: its signature
// covers the whole file and is the office's, and the content it carries is
// exactly what its QR token signs. It returns the token, for an online
// check of status and log to follow.
func (v *Verifier) CheckPDF(pdf []byte) (string, Result) {
	pdf = trimAfterEOF(pdf)
	qr, content, err := FromPDF(pdf)
	if err != nil {
		return "", invalid("verify.not_certificate",
			"This file is not a certificate PDF issued by Sijil, or it was altered.")
	}
	token, err := TokenFromText(qr)
	if err != nil {
		return "", invalid("verify.malformed", "The code is damaged or was altered.")
	}
	if err := CheckPDFSignature(pdf, v.Keys); err != nil {
		r := invalid("verify.pdf_signature", "The PDF's signature does not hold: "+
			strings.TrimPrefix(err.Error(), ErrPDFSignature.Error()+": ")+".")
		return token, r
	}
	return token, v.Check(token, content)
}

// trimAfterEOF drops white space added after the file's last %%EOF line,
// as copying or mailing a file may add: it is no change to the document.
// The end-of-line that belongs to the %%EOF line is kept, since the
// signature covers it.
func trimAfterEOF(pdf []byte) []byte {
	i := bytes.LastIndex(pdf, []byte("%%EOF"))
	if i < 0 {
		return pdf
	}
	end := i + len("%%EOF")
	for _, eol := range []string{"\r\n", "\n", "\r"} {
		if bytes.HasPrefix(pdf[end:], []byte(eol)) {
			end += len(eol)
			break
		}
	}
	if len(bytes.TrimLeft(pdf[end:], " \t\r\n\x00")) != 0 {
		return pdf // something else follows: let the signature check judge it
	}
	return pdf[:end]
}
