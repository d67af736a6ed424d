package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/verify"
)

// bundle writes the offline trust bundle: the signed key set, the signed
// revocation list and the latest log checkpoint, in one signed file.
func (e *env) bundle(ctx context.Context, args []string) error {
	fs := e.flags("bundle")
	data := dataFlag(fs)
	out := fs.String("out", "", "where to write the bundle")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	keySet, err := a.signedKeySet()
	if err != nil {
		return err
	}
	now := time.Now()
	revs, err := certs.SignedRevocationList(ctx, &certs.Store{DB: a.db}, a.keyring, office,
		now)
	if err != nil {
		return err
	}
	checkpoint, err := a.ilog.Checkpoint(ctx)
	if err != nil {
		return err
	}

	doc, err := a.keyring.SignBundle(verify.Bundle{Issuer: office, MadeAt: now.Unix(),
		KeySet: json.RawMessage(keySet), Revocations: json.RawMessage(revs),
		Checkpoint: string(checkpoint)})
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, doc); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d bytes)\n", *out, len(doc))
	return nil
}
