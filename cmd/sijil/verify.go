package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/sijil-municipality/sijil/verify"
)

// verify checks a certificate PDF or QR text with no network: with the
// key set file given, or the data folder's own key.
func (e *env) verify(ctx context.Context, args []string) error {
	fs := e.flags("verify")
	keysFile := fs.String("keys", "", "published key set (JSON), as from 'sijil keys export'")
	data := dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one PDF file or QR text", errUsage)
	}

	keys, err := e.verifyKeys(ctx, *keysFile, *data)
	if err != nil {
		return err
	}
	qrText, content, err := certificateInput(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(e.stdout, "INVALID: %v\n", err)
		return errNotGenuine
	}
	token, err := verify.TokenFromText(qrText)
	if err != nil {
		fmt.Fprintf(e.stdout, "INVALID: %v\n", err)
		return errNotGenuine
	}

	res := (&verify.Verifier{Keys: keys}).Check(token, content)
	printResult(e, res)
	if res.Status != verify.StatusValid {
		return errNotGenuine
	}
	return nil
}

func (e *env) verifyKeys(ctx context.Context, keysFile, data string) (*verify.KeySet, error) {
	if keysFile != "" {
		b, err := os.ReadFile(keysFile)
		if err != nil {
			return nil, err
		}
		return verify.ReadSignedKeySet(b, nil)
	}
	if _, err := os.Stat(data); err != nil {
		return nil, fmt.Errorf("%w: no --keys file given and no data folder at %s", errUsage, data)
	}
	a, err := openApp(ctx, data, e.log, false)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.keySet()
}

// certificateInput reads the argument as a PDF file when it names one
// (returning its embedded content too), else as QR text.
func certificateInput(arg string) (qrText string, content []byte, err error) {
	b, err := os.ReadFile(arg)
	if err != nil {
		return arg, nil, nil
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return "", nil, fmt.Errorf("%s is not a PDF", arg)
	}
	return verify.FromPDF(b)
}

func printResult(e *env, r verify.Result) {
	if r.Status != verify.StatusValid {
		fmt.Fprintf(e.stdout, "INVALID: %s\n", r.Reason)
		return
	}
	fmt.Fprintf(e.stdout, "VALID: genuine %s certificate %s, issued %s, key %s\n",
		r.Kind, r.CertID, r.IssuedAt, r.KeyID)
	if !r.ContentChecked {
		fmt.Fprintln(e.stdout, "(signature only: the certified content was not at hand)")
		return
	}
	if b := r.Content.Building; b != nil {
		fmt.Fprintf(e.stdout, "owner: %s (ID %s)\nparcel %s, plot %s, %s, %s\n",
			b.HolderName, b.HolderID, b.Parcel, b.Plot, b.Neighbourhood, b.Street)
		for _, f := range b.Floors {
			fmt.Fprintf(e.stdout, "floor %s: %s m², %s\n", f.Level, f.AreaM2, f.Use)
		}
	}
}
