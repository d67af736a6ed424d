// Command qrspec measures which QR error correction level and printed size
// let a certificate's verify link be read back from a degraded scan, the
// measurement behind certs' qrSizeMM (issue #3).
//
// For every level and size it renders real one-page certificates with
// certs/render, rasterises them with pdftoppm, degrades the images with
// ImageMagick (2° rotation, 0.6 px blur; a photocopy variant adds a level
// change and noise; a 100-dpi variant is the worse scanner) and decodes
// them with zbarimg, which must give back the QR text exactly.
//
// Usage:
//
//	go run ./cmd/qrspec [-tokens 20] [-min-mm 18] [-max-mm 40] [-levels L,M,Q,H]
//	                    [-workers 2] [-out DIR [-keep-all]]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what one run measures.
type config struct {
	tokens       int
	minMM, maxMM int
	levels       []string // names from levels: L, M, Q, H
	workers      int
	out          string // where images go; empty for a folder removed at the end
	keepAll      bool   // keep the images of passing decodes too
	publicURL    string
}

// run is main without the process: it parses flags, measures and prints
// the table on stdout, and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		log.Error("bad flags", "err", err)
		return 2
	}

	if err := measure(ctx, cfg, stdout, log); err != nil {
		log.Error("qrspec failed", "err", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("qrspec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var lv string
	fs.IntVar(&cfg.tokens, "tokens", 20, "random certificate tokens per level and size")
	fs.IntVar(&cfg.minMM, "min-mm", 18, "smallest printed QR side, mm")
	fs.IntVar(&cfg.maxMM, "max-mm", 40, "largest printed QR side, mm (1 mm steps)")
	fs.StringVar(&lv, "levels", "L,M,Q,H", "error correction levels, comma separated")
	fs.IntVar(&cfg.workers, "workers", 2, "cases run in parallel")
	fs.StringVar(&cfg.out, "out", "", "folder for the PDFs and images (default: temporary)")
	fs.BoolVar(&cfg.keepAll, "keep-all", false, "with -out, keep passing images too, "+
		"not only failing ones")
	fs.StringVar(&cfg.publicURL, "public-url", "https://sijil.example.gov",
		"public base URL the verify link is made under")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}

	cfg.levels = strings.Split(strings.ToUpper(lv), ",")
	return cfg, cfg.validate()
}

func (c config) validate() error {
	if c.tokens < 1 || c.workers < 1 {
		return fmt.Errorf("-tokens and -workers must be positive")
	}
	if c.minMM < 5 || c.maxMM < c.minMM || c.maxMM > maxCropMM {
		return fmt.Errorf("sizes %d–%d mm: want 5 ≤ -min-mm ≤ -max-mm ≤ %d", c.minMM, c.maxMM,
			maxCropMM)
	}
	for _, name := range c.levels {
		if _, ok := levelByName(name); !ok {
			return fmt.Errorf("unknown level %q: want L, M, Q or H", name)
		}
	}
	return nil
}

// elapsed rounds a duration for the log.
func elapsed(start time.Time) string { return time.Since(start).Round(time.Second).String() }
