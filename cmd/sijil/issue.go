package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sijil-municipality/sijil/certs"
)

func (e *env) issue(ctx context.Context, args []string) error {
	fs := e.flags("issue")
	data := dataFlag(fs)
	publicURL := publicURLFlag(fs, "http://127.0.0.1:8080")
	kind := fs.String("kind", "building", "kind of certificate: building, craft or copy")
	from := fs.String("from", "", "JSON file with the certificate's facts")
	out := fs.String("out", "", "where to write the PDF")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *from == "" || *out == "" {
		return fmt.Errorf("%w: --from and --out are required", errUsage)
	}
	parse, ok := issueKinds[*kind]
	if !ok {
		return fmt.Errorf("%w: unknown kind %q: building, craft or copy", errUsage, *kind)
	}

	input, err := os.ReadFile(*from)
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
	issued, err := issueFn(ctx, is)
	if err != nil {
		return err
	}

	if err := writeFileAtomic(*out, issued.PDF); err != nil {
		return fmt.Errorf("certificate %s was issued and stored, but writing %s failed: %w",
			issued.ID, *out, err)
	}
	fmt.Fprintln(e.stdout, issued.ID)
	return nil
}

// issueKinds reads each kind's facts from JSON and returns the issuance,
// so that bad input is refused before the data folder is opened.
var issueKinds = map[string]func([]byte) (issueFunc, error){
	"building": func(data []byte) (issueFunc, error) {
		req, err := certs.ParseBuildingRequest(data)
		return func(ctx context.Context, is *certs.Issuer) (certs.Issued, error) {
			return is.IssueBuilding(ctx, req)
		}, err
	},
	"craft": func(data []byte) (issueFunc, error) {
		req, err := certs.ParseCraftRequest(data)
		return func(ctx context.Context, is *certs.Issuer) (certs.Issued, error) {
			return is.IssueCraft(ctx, req)
		}, err
	},
	"copy": func(data []byte) (issueFunc, error) {
		req, err := certs.ParseCopyRequest(data)
		return func(ctx context.Context, is *certs.Issuer) (certs.Issued, error) {
			return is.IssueCopy(ctx, req)
		}, err
	},
}

type issueFunc func(context.Context, *certs.Issuer) (certs.Issued, error)

// writeFileAtomic writes through a temporary file, so that a reader never
// sees half a PDF.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
