package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs/render"
)

// spec is one case: a token printed at one level and size.
type spec struct {
	level  int // index into levels
	sizeMM int
	token  int // index into tokens
}

// outcome is what became of one case.
type outcome struct {
	spec
	fits    bool   // the certificate still fits one page
	decoded []bool // per variant: zbarimg gave back the QR text exactly
}

// runner holds what every case shares.
type runner struct {
	cfg    config
	r      *render.Renderer
	levels []level
	tokens []token
	dir    string
}

// run renders, rasterises, degrades and decodes one case. Images of
// passing decodes are removed unless asked for, so a full run leaves only
// the failures to look at.
func (m *runner) run(ctx context.Context, s spec) (outcome, error) {
	l, t := m.levels[s.level], m.tokens[s.token]
	pdf, err := m.r.Sheet(sheet(t, float64(s.sizeMM), l.render))
	if sijil.KindOf(err) == sijil.TooLarge {
		return outcome{spec: s}, nil
	}
	if err != nil {
		return outcome{}, fmt.Errorf("render %s %d mm: %w", l.name, s.sizeMM, err)
	}

	base := filepath.Join(m.dir, fmt.Sprintf("%s-%02dmm-t%02d", l.name, s.sizeMM, s.token))
	if err := os.WriteFile(base+".pdf", pdf, 0o644); err != nil {
		return outcome{}, fmt.Errorf("write PDF: %w", err)
	}
	rasters := map[int]string{}
	for _, v := range variants {
		if _, ok := rasters[v.dpi]; ok {
			continue
		}
		rasters[v.dpi] = fmt.Sprintf("%s-raw%d.png", base, v.dpi)
		if err := rasterise(ctx, base+".pdf", rasters[v.dpi], v.dpi); err != nil {
			return outcome{}, err
		}
	}

	o := outcome{spec: s, fits: true, decoded: make([]bool, len(variants))}
	var passed []string
	images := map[string]string{}
	for i, v := range variants {
		in := rasters[v.dpi]
		if v.from != "" {
			in = images[v.from]
		}
		img, err := m.scan(ctx, s, v, in, base)
		images[v.name] = img
		if err != nil {
			return outcome{}, err
		}
		got, err := decode(ctx, img)
		if err != nil {
			return outcome{}, err
		}
		if o.decoded[i] = got == t.url; o.decoded[i] && img != rasters[v.dpi] {
			passed = append(passed, img)
		}
	}
	return o, m.tidy(o, base, rasters, passed)
}

// scan returns the image the variant decodes: its input itself or a
// degraded copy of it.
func (m *runner) scan(ctx context.Context, s spec, v variant, in, base string) (string,
	error) {
	if len(v.magick) == 0 {
		return in, nil
	}
	img := base + "-" + v.name + ".png"
	seed := (s.level*1000+s.sizeMM)*1000 + s.token
	return img, degrade(ctx, v, in, img, seed)
}

// tidy removes what the run should not keep: the images of passing
// decodes, and the PDF and rasters of a case that passed everywhere.
func (m *runner) tidy(o outcome, base string, rasters map[int]string, passed []string) error {
	if m.cfg.keepAll {
		return nil
	}
	if err := removeAll(passed...); err != nil {
		return err
	}
	for _, ok := range o.decoded {
		if !ok {
			return nil
		}
	}
	files := []string{base + ".pdf"}
	for _, r := range rasters {
		files = append(files, r)
	}
	return removeAll(files...)
}
