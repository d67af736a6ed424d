package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/sijil-municipality/sijil/certs/render"
)

// measure runs every case on cfg.workers workers and prints the table.
func measure(ctx context.Context, cfg config, stdout io.Writer, log *slog.Logger) error {
	start := time.Now()
	if err := checkTools(); err != nil {
		return err
	}
	m, cleanup, err := newRunner(cfg)
	if err != nil {
		return err
	}
	defer cleanup()

	infos, err := m.inspectAll(log)
	if err != nil {
		return err
	}
	log.Info("measuring", "levels", cfg.levels, "min_mm", cfg.minMM, "max_mm", cfg.maxMM,
		"tokens", cfg.tokens, "variants", len(variants), "workers", cfg.workers, "out", m.dir)

	g := newGrid(len(m.levels), cfg.minMM, cfg.maxMM, cfg.tokens)
	if err := m.runAll(ctx, g, log); err != nil {
		return err
	}
	log.Info("measured", "elapsed", elapsed(start))
	return g.print(stdout, m.levels, infos)
}

// newRunner parses the fonts, signs the tokens and makes the output folder.
func newRunner(cfg config) (*runner, func(), error) {
	r, err := render.New("", "")
	if err != nil {
		return nil, nil, fmt.Errorf("fonts: %w", err)
	}
	tokens, err := newTokens(cfg.tokens, cfg.publicURL, time.Now())
	if err != nil {
		return nil, nil, err
	}
	m := &runner{cfg: cfg, r: r, tokens: tokens, dir: cfg.out}
	for _, name := range cfg.levels {
		l, _ := levelByName(name) // validated
		m.levels = append(m.levels, l)
	}

	cleanup := func() {}
	if m.dir == "" {
		if m.dir, err = os.MkdirTemp("", "qrspec-"); err != nil {
			return nil, nil, fmt.Errorf("temporary folder: %w", err)
		}
		cleanup = func() { os.RemoveAll(m.dir) }
	} else if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("output folder: %w", err)
	}
	return m, cleanup, nil
}

// inspectAll returns what go-qrcode makes of the texts at each level and
// refuses a run where the text would leave alphanumeric mode or tokens
// would differ in version: the table would then mix different codes.
func (m *runner) inspectAll(log *slog.Logger) ([]codeInfo, error) {
	infos := make([]codeInfo, len(m.levels))
	for i, l := range m.levels {
		for j, t := range m.tokens {
			info, err := inspect(t.url, l)
			if err != nil {
				return nil, err
			}
			if !info.alphanumeric {
				return nil, fmt.Errorf("level %s: %q is not encoded in alphanumeric mode",
					l.name, t.url)
			}
			if j > 0 && info != infos[i] {
				return nil, fmt.Errorf("level %s: tokens give versions %d and %d",
					l.name, infos[i].version, info.version)
			}
			infos[i] = info
		}
		log.Info("QR code", "level", l.name, "text_chars", len(m.tokens[0].url),
			"mode", "alphanumeric", "version", infos[i].version,
			"modules", infos[i].modules(), "byte_mode_version", infos[i].byteVersion)
	}
	return infos, nil
}

// runAll feeds every case to the workers and adds the outcomes to g. The
// first error stops the run.
func (m *runner) runAll(ctx context.Context, g *grid, log *slog.Logger) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	specs := make(chan spec)
	outcomes := make(chan outcome)

	var wg sync.WaitGroup
	for range m.cfg.workers {
		wg.Go(func() {
			for s := range specs {
				o, err := m.run(ctx, s)
				if err != nil {
					cancel(err)
					return
				}
				outcomes <- o
			}
		})
	}
	go m.feed(ctx, specs)
	go func() { wg.Wait(); close(outcomes) }()

	for o := range outcomes {
		if g.add(o) {
			log.Info("size done", "level", m.levels[o.level].name, "size_mm", o.sizeMM)
		}
	}
	return context.Cause(ctx)
}

// feed sends the cases level by level, size by size, so that the log shows
// progress by rows of the table.
func (m *runner) feed(ctx context.Context, specs chan<- spec) {
	defer close(specs)
	for l := range m.levels {
		for size := m.cfg.minMM; size <= m.cfg.maxMM; size++ {
			for t := range m.tokens {
				select {
				case specs <- spec{level: l, sizeMM: size, token: t}:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}
