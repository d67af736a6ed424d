package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/verify"
)

// verify checks a certificate PDF or QR text. With --keys (the published
// key set) it needs no network and no data folder; with --data it also
// checks revocation and the public log, as the verify page does.
func (e *env) verify(ctx context.Context, args []string) error {
	fs := e.flags("verify")
	keysFile := fs.String("keys", "", "published key set (JSON), as from 'sijil keys export'")
	bundleFile := fs.String("bundle", "", "offline trust bundle, as from 'sijil bundle'")
	data := dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one PDF file or the text of a QR code", errUsage)
	}
	input, isPDF, err := readInput(fs.Arg(0))
	if err != nil {
		return err
	}

	v, reg, closeData, err := e.verifier(ctx, *keysFile, *bundleFile, *data)
	if err != nil {
		return err
	}
	defer closeData()

	var token string
	var res verify.Result
	if isPDF {
		token, res = v.CheckPDF(input)
	} else {
		token, err = verify.TokenFromText(string(input))
		res = v.Check(token, nil)
		if err != nil {
			res = v.Check("", nil)
		}
	}
	if res.Status == verify.StatusValid && reg != nil {
		res = mergeOnline(res, v.CheckOnline(ctx, token, reg, e.log))
	}

	printResult(e, res)
	if res.Status != verify.StatusValid {
		return errNotGenuine
	}
	return nil
}

// mergeOnline keeps the PDF's own content check when the registry adds
// status and log verdicts.
func mergeOnline(offline, online verify.Result) verify.Result {
	if offline.ContentChecked && !online.ContentChecked {
		online.Content, online.ContentChecked = offline.Content, true
	}
	return online
}

// readInput reads the argument as a PDF file when it names a file, else
// takes it as QR text. A name that looks like a file but is missing is a
// mistake to report, not a forgery.
func readInput(arg string) (data []byte, isPDF bool, err error) {
	b, err := os.ReadFile(arg)
	switch {
	case err == nil && bytes.HasPrefix(b, []byte("%PDF-")):
		return b, true, nil
	case err == nil:
		return nil, false, sijil.Errorf(sijil.Invalid, "verify.not_pdf",
			"%s is not a PDF; give a certificate PDF or the text of its QR code", arg)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, err
	case strings.HasSuffix(strings.ToLower(arg), ".pdf"):
		return nil, false, sijil.Errorf(sijil.NotFound, "verify.no_file",
			"there is no file %s", arg)
	}
	if _, err := verify.ParseID(arg); err == nil {
		return nil, false, sijil.Errorf(sijil.Invalid, "verify.id_given",
			"%s is a certificate number: scan its QR code, or type the number on the "+
				"verify page, which looks it up", arg)
	}
	return []byte(arg), false, nil
}

// verifier returns the verifier and, with a data folder, its registry.
func (e *env) verifier(ctx context.Context, keysFile, bundleFile string, data dataPlace) (
	*verify.Verifier, verify.Registry, func(), error) {
	if bundleFile != "" {
		v, err := e.bundleVerifier(bundleFile, keysFile)
		return v, nil, func() {}, err
	}
	if keysFile != "" {
		b, err := os.ReadFile(keysFile)
		if err != nil {
			return nil, nil, nil, err
		}
		ks, err := verify.ReadSignedKeySet(b, nil)
		if err != nil {
			return nil, nil, nil, sijil.Errorf(sijil.Invalid, "verify.bad_keys",
				"%s is not a signed Sijil key set: %v", keysFile, err)
		}
		return &verify.Verifier{Keys: ks}, nil, func() {}, nil
	}

	a, err := openApp(ctx, data, e.log, false)
	if err != nil {
		return nil, nil, nil, err
	}
	ks, err := a.keySet()
	if err == nil {
		_, err = a.issuanceLog()
	}
	if err != nil {
		a.Close()
		return nil, nil, nil, err
	}
	reg := certs.NewRegistry(&certs.Store{DB: a.db}, a.ilog)
	v := &verify.Verifier{Keys: ks, LogKey: a.logVerifierKey}
	return v, reg, func() { a.Close() }, nil
}

// bundleVerifier trusts an offline bundle (checked against --keys when
// given) and says how old it is, since revocations after it are unknown.
func (e *env) bundleVerifier(bundleFile, keysFile string) (*verify.Verifier, error) {
	b, err := readFile(bundleFile)
	if err != nil {
		return nil, err
	}
	var trusted *verify.KeySet
	if keysFile != "" {
		kb, err := readFile(keysFile)
		if err != nil {
			return nil, err
		}
		if trusted, err = verify.ReadSignedKeySet(kb, nil); err != nil {
			return nil, sijil.Errorf(sijil.Invalid, "verify.bad_keys",
				"%s is not a signed Sijil key set: %v", keysFile, err)
		}
	}
	trust, err := verify.ReadBundle(b, trusted)
	if err != nil {
		return nil, sijil.Errorf(sijil.Invalid, "verify.bad_bundle",
			"%s is not a genuine Sijil trust bundle: %v", bundleFile, err)
	}
	age := time.Since(trust.MadeAt).Round(time.Hour)
	fmt.Fprintf(e.stdout, "trust bundle made %s (%s ago); revocations after it are unknown\n",
		trust.MadeAt.Format(time.RFC3339), age)
	return &verify.Verifier{Keys: trust.Keys, Revocations: trust.Revocations,
		LogKey: trust.LogKey}, nil
}
