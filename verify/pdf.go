package verify

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
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
