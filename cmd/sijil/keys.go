package main

import (
	"context"
	"encoding/json"
	"fmt"
)

func (e *env) keys(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		// TODO(#3): list, rotate, retire and mark keys compromised.
		return fmt.Errorf("%w: only 'sijil keys export' exists so far", errUsage)
	}
	fs := e.flags("keys export")
	data := dataFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	a, err := openApp(ctx, *data, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	ks, err := a.keySet()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(ks)
}
