package main

import (
	"context"
	"fmt"
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
