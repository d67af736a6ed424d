package main

import (
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
)

// publicURLDefault is where `make run` serves; a certificate issued with it
// verifies only on this machine, so commands warn when they fall back to it.
const publicURLDefault = "http://127.0.0.1:8080"

// maxInputBytes bounds a JSON facts file.
const maxInputBytes = 1 << 20

// readFile reads a small input file, refusing one too large to be facts.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInputBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInputBytes {
		return nil, sijil.Errorf(sijil.TooLarge, "input.too_large",
			"%s is larger than %d KB", path, maxInputBytes>>10)
	}
	return b, nil
}

// writeIssued writes an issued certificate's PDF and prints its number.
func writeIssued(e *env, issued certs.Issued, out string) error {
	if err := writeFileAtomic(out, issued.PDF); err != nil {
		return fmt.Errorf("certificate %s was issued and stored, but writing %s failed: %w",
			issued.ID, out, err)
	}
	fmt.Fprintln(e.stdout, issued.ID)
	return nil
}

// checkPublicURL refuses a base for verify links that a phone camera would
// not open: it must be an absolute http or https URL with a host.
func checkPublicURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		return sijil.Errorf(sijil.Invalid, "config.public_url",
			"--public-url must be an absolute http(s) URL such as https://sijil.example.gov, "+
				"not %q", raw)
	}
	return nil
}
