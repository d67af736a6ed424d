package pdfsign_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/certs/pdfsign"
)

func TestSignedPDFPassesPopplerAndQPDF(t *testing.T) {
	office := signer(t, "بلدية المدينة — City Municipality")
	for name, pdf := range inputs(t, []byte("certificate content")) {
		t.Run(name, func(t *testing.T) {
			signed := sign(t, pdf, office)
			path := write(t, "signed.pdf", signed)

			if !bytes.HasPrefix(signed, pdf) {
				t.Error("the original bytes are not a prefix of the signed file")
			}
			out := pdfsig(t, path)
			for _, want := range []string{"Signature is Valid.", "Total document signed",
				"Signature Type: adbe.pkcs7.detached", "Certificate issuer is unknown."} {
				if !strings.Contains(out, want) {
					t.Errorf("pdfsig does not say %q:\n%s", want, out)
				}
			}

			need(t, "qpdf", "qpdf")
			if out := run(t, "qpdf", "--check", path); strings.Contains(out, "WARNING") {
				t.Errorf("qpdf --check warns:\n%s", out)
			}
			need(t, "pdftoppm", "poppler-utils")
			run(t, "pdftoppm", "-r", "30", "-png", "-singlefile", path,
				filepath.Join(t.TempDir(), "page"))

			info, err := pdfsign.Check(signed)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if !info.SignedBy(office.Cert) || info.Reason != options.Reason ||
				info.Location != options.Location || info.Name != options.Name ||
				!info.Time.Equal(options.Time) || info.Field != "Signature1" {
				t.Errorf("Check reports %+v", info)
			}
		})
	}
}

// The update continues in the kind of cross-reference section the input
// ends with: a stream-only reader must still find the new objects.
func TestUpdateKeepsTheCrossReferenceKind(t *testing.T) {
	office := signer(t, "office")
	for name, pdf := range inputs(t, nil) {
		update := sign(t, pdf, office)[len(pdf):]
		stream := bytes.Contains(update, []byte("/Type/XRef"))
		table := bytes.Contains(update, []byte("\nxref\n"))
		if stream != (name == "stream") || table != (name == "table") {
			t.Errorf("%s input: update has xref stream %v, table %v", name, stream, table)
		}
	}
}

func TestChangedByteIsDigestMismatch(t *testing.T) {
	office := signer(t, "office")
	signed := sign(t, inputs(t, nil)["stream"], office)
	for name, at := range map[string]int{
		// the binary comment after the header: any byte there keeps the syntax
		"first range":  11,
		"second range": bytes.LastIndex(signed, []byte("Gaza")) + 1,
	} {
		t.Run(name, func(t *testing.T) {
			tampered := bytes.Clone(signed)
			tampered[at]++

			if out := pdfsig(t, write(t, "tampered.pdf", tampered)); !strings.Contains(out,
				"Digest Mismatch") {
				t.Errorf("pdfsig does not report a digest mismatch:\n%s", out)
			}
			if _, err := pdfsign.Check(tampered); !errors.Is(err, pdfsign.ErrBadSignature) {
				t.Errorf("Check: got %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestAnotherKeyIsValidButNotTheOffice(t *testing.T) {
	office, other := signer(t, "office"), signer(t, "office")
	pdf := inputs(t, nil)["stream"]

	tests := map[string][]byte{
		"signed by another key":      sign(t, pdf, other),
		"re-signed by another key":   sign(t, sign(t, pdf, office), other),
		"re-signed twice, table too": sign(t, sign(t, inputs(t, nil)["table"], office), other),
	}
	for name, signed := range tests {
		t.Run(name, func(t *testing.T) {
			out := pdfsig(t, write(t, "other.pdf", signed))
			if strings.Count(out, "Signature is Valid.") != strings.Count(out, "Signature #") {
				t.Errorf("pdfsig does not find every signature valid:\n%s", out)
			}

			info, err := pdfsign.Check(signed)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if !info.SignedBy(other.Cert) || info.SignedBy(office.Cert) {
				t.Error("Check does not name the other key's certificate as the signer")
			}
		})
	}
}

func TestResignedPDFHasTwoFields(t *testing.T) {
	office := signer(t, "office")
	twice := sign(t, sign(t, inputs(t, nil)["stream"], office), office)

	out := pdfsig(t, write(t, "twice.pdf", twice))
	if !strings.Contains(out, "Signature Field Name: Signature1") ||
		!strings.Contains(out, "Signature Field Name: Signature2") {
		t.Errorf("pdfsig does not list both fields:\n%s", out)
	}
	if info, err := pdfsign.Check(twice); err != nil || info.Field != "Signature2" {
		t.Errorf("Check: field %q, error %v; want Signature2 and no error", info.Field, err)
	}
}

func TestCheckRefusesUnsignedAndAppended(t *testing.T) {
	pdf := inputs(t, nil)["stream"]
	if _, err := pdfsign.Check(pdf); !errors.Is(err, pdfsign.ErrUnsigned) {
		t.Errorf("unsigned PDF: got %v, want ErrUnsigned", err)
	}

	signed := sign(t, pdf, signer(t, "office"))
	appended := append(bytes.Clone(signed), "% not covered\n"...)
	if _, err := pdfsign.Check(appended); !errors.Is(err, pdfsign.ErrNotWholeFile) {
		t.Errorf("appended bytes: got %v, want ErrNotWholeFile", err)
	}
}

func TestSignRefusesWhatItCannotSign(t *testing.T) {
	office := signer(t, "office")
	for name, pdf := range map[string][]byte{
		"empty":     nil,
		"not a PDF": []byte("hello"),
	} {
		if _, err := pdfsign.Sign(pdf, office, options); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
	}
	if _, err := pdfsign.Sign(inputs(t, nil)["table"], pdfsign.Signer{}, options); err == nil {
		t.Error("Sign succeeded without a key")
	}
}

func BenchmarkSign50KB(b *testing.B) {
	pdf := inputs(b, randomBytes(b, 43<<10))["stream"]
	office := signer(b, "office")
	if len(pdf) < 45<<10 || len(pdf) > 55<<10 {
		b.Fatalf("input is %d bytes, want about 50 KB", len(pdf))
	}

	b.SetBytes(int64(len(pdf)))
	for b.Loop() {
		if _, err := pdfsign.Sign(pdf, office, options); err != nil {
			b.Fatal(err)
		}
	}
}
