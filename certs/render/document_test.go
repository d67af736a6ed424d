package render_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/certs/render"
)

// pagePNG draws an A4 page at 150 dpi in the given form, with a dark
// block, as the archive stores pages: 1-bit, grey, or colour with alpha.
func pagePNG(t *testing.T, form string) []byte {
	t.Helper()
	r := image.Rect(0, 0, 1240, 1754)
	var img image.Image
	switch form {
	case "1-bit":
		p := image.NewPaletted(r, color.Palette{color.Gray{0}, color.Gray{0xff}})
		for i := range p.Pix {
			p.Pix[i] = 1
			if i%1240 > 200 && i%1240 < 600 && i/1240 > 300 && i/1240 < 700 {
				p.Pix[i] = 0
			}
		}
		img = p
	case "grey":
		g := image.NewGray(r)
		for i := range g.Pix {
			g.Pix[i] = byte(0x80 + i%0x7f)
		}
		img = g
	case "alpha":
		n := image.NewNRGBA(r)
		for i := range n.Pix {
			n.Pix[i] = byte(i)
		}
		img = n
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDocumentEmbedsPageImages(t *testing.T) {
	need(t, "qpdf", "qpdf")
	need(t, "pdfimages", "poppler-utils")
	r := newRenderer(t)
	for _, tc := range []struct {
		form, wantColour, wantBPC string
		maxBytes                  int
	}{
		{"1-bit", "index", "1", 80_000}, // as the PNG: not expanded to 8 bits
		{"grey", "gray", "8", 0},
		{"alpha", "rgb", "8", 0}, // flattened on white
	} {
		t.Run(tc.form, func(t *testing.T) {
			img := pagePNG(t, tc.form)
			pdf, err := r.Document(building(), render.ImagePage{PNG: img, QRText: "HELLO",
				Stamp: []string{"page 1 of 1"}})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "doc.pdf")
			if err := os.WriteFile(path, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
				t.Fatalf("qpdf --check: %v\n%s", err, out)
			}
			out, err := exec.Command("pdfimages", "-list", path).Output()
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 3 {
				t.Fatalf("pdfimages -list:\n%s", out)
			}
			f := strings.Fields(lines[2]) // page num type width height color comp bpc …
			if f[0] != "2" || f[3] != "1240" || f[4] != "1754" || f[5] != tc.wantColour ||
				f[7] != tc.wantBPC {
				t.Errorf("image %v, want 1240×1754 %s %s-bit on page 2", f, tc.wantColour,
					tc.wantBPC)
			}
			if tc.maxBytes > 0 && len(pdf) > tc.maxBytes {
				t.Errorf("PDF of %d bytes, want under %d", len(pdf), tc.maxBytes)
			}
		})
	}
}

func TestDocumentRefusesNonPNG(t *testing.T) {
	_, err := newRenderer(t).Document(building(), render.ImagePage{PNG: []byte("GIF89a")})
	if err == nil || !strings.Contains(err.Error(), "not a PNG") {
		t.Fatalf("got %v, want a refusal of a page image that is not a PNG", err)
	}
}
