package main

import (
	"context"
	"fmt"

	"github.com/sijil-municipality/sijil/certs"
)

// revoke ends a certificate's validity; supersede issues its replacement.
func (e *env) revoke(ctx context.Context, args []string) error {
	fs := e.flags("revoke")
	data := dataFlag(fs)
	reason := fs.String("reason", "", "issued_in_error, facts_changed, court_order or fraud")
	note := fs.String("note", "", "internal note, never published")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name one certificate number", errUsage)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	is, err := a.issuer(publicURLDefault)
	if err != nil {
		return err
	}
	if err := is.Revoke(ctx, fs.Arg(0), *reason, *note); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s revoked\n", fs.Arg(0))
	return nil
}

// supersede issues a corrected building certificate that replaces one.
func (e *env) supersede(ctx context.Context, args []string) error {
	fs := e.flags("supersede")
	data := dataFlag(fs)
	publicURL := publicURLFlag(fs, publicURLDefault)
	from := fs.String("from", "", "JSON file with the corrected facts")
	out := fs.String("out", "", "where to write the new PDF")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 || *from == "" || *out == "" {
		return fmt.Errorf("%w: sijil supersede OLD-NUMBER --from FILE.json --out FILE.pdf",
			errUsage)
	}

	if err := checkPublicURL(*publicURL); err != nil {
		return err
	}
	req, err := readBuildingRequest(*from)
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
	issued, err := is.SupersedeBuilding(ctx, fs.Arg(0), req)
	if err != nil {
		return err
	}
	return writeIssued(e, issued, *out)
}

func readBuildingRequest(path string) (certs.BuildingRequest, error) {
	input, err := readFile(path)
	if err != nil {
		return certs.BuildingRequest{}, err
	}
	return certs.ParseBuildingRequest(input)
}
