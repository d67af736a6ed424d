package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sijil-municipality/sijil/certs"
)

// issue issues a certificate of any kind from its facts in JSON; with
// --supersedes it replaces an earlier certificate in the same transaction.
func (e *env) issue(ctx context.Context, args []string) error {
	fs := e.flags("issue")
	data := dataFlag(fs)
	publicURL := publicURLFlag(fs, "")
	kind := fs.String("kind", "building", "kind of certificate: building, craft or copy")
	from := fs.String("from", "", "JSON file with the certificate's facts")
	out := fs.String("out", "", "where to write the PDF")
	supersedes := fs.String("supersedes", "", "number of the certificate this one replaces")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *from == "" || *out == "" || fs.NArg() != 0 {
		return fmt.Errorf("%w: --from and --out are required", errUsage)
	}
	parse, ok := issueKinds[*kind]
	if !ok {
		return fmt.Errorf("%w: unknown kind %q: building, craft or copy", errUsage, *kind)
	}
	if *publicURL == "" {
		*publicURL = publicURLDefault
		e.log.Warn("no --public-url or $SIJIL_PUBLIC_URL: the QR code points at this "+
			"machine only", "public_url", publicURLDefault)
	}
	if err := checkPublicURL(*publicURL); err != nil {
		return err
	}

	input, err := readFile(*from)
	if err != nil {
		return err
	}
	issueFn, err := parse(input)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	is, err := a.issuer(*publicURL)
	if err != nil {
		return err
	}
	issued, err := issueFn(ctx, is, *supersedes)
	if err != nil {
		return err
	}
	return writeIssued(e, issued, *out)
}

// supersede is `issue --supersedes NUMBER`, named for the supervisor's act.
func (e *env) supersede(ctx context.Context, args []string) error {
	if len(args) == 0 || len(args[len(args)-1]) == 0 || args[len(args)-1][0] == '-' {
		return fmt.Errorf("%w: sijil supersede [--kind K] --from FILE.json --out FILE.pdf "+
			"CERT-NUMBER", errUsage)
	}
	number := args[len(args)-1]
	return e.issue(ctx, append(args[:len(args)-1:len(args)-1], "--supersedes", number))
}

// issueKinds reads each kind's facts from JSON and returns the issuance,
// so that bad input is refused before the data folder is opened. An empty
// replaces issues a new certificate.
var issueKinds = map[string]func([]byte) (issueFunc, error){
	"building": func(data []byte) (issueFunc, error) {
		req, err := certs.ParseBuildingRequest(data)
		return func(ctx context.Context, is *certs.Issuer, replaces string) (certs.Issued,
			error) {
			return is.SupersedeBuilding(ctx, replaces, req)
		}, err
	},
	"craft": func(data []byte) (issueFunc, error) {
		req, err := certs.ParseCraftRequest(data)
		return func(ctx context.Context, is *certs.Issuer, replaces string) (certs.Issued,
			error) {
			return is.SupersedeCraft(ctx, replaces, req)
		}, err
	},
	"copy": func(data []byte) (issueFunc, error) {
		req, err := certs.ParseCopyRequest(data)
		return func(ctx context.Context, is *certs.Issuer, replaces string) (certs.Issued,
			error) {
			return is.SupersedeCopy(ctx, replaces, req)
		}, err
	},
}

type issueFunc func(ctx context.Context, is *certs.Issuer, replaces string) (certs.Issued,
	error)

// writeFileAtomic writes through a temporary file in the same folder, so
// that a reader never sees half a PDF and two writers never share one
// temporary name.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
