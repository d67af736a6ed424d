package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

const keysUsage = `sijil keys list|rotate|export [--data DIR]
sijil keys retire KEY-ID [--data DIR]
sijil keys compromise KEY-ID --since YYYY-MM-DD[THH:MM:SSZ] [--data DIR]`

// keys manages the signing keys: list them, rotate to a new one, retire or
// mark one compromised, and export the signed public key set.
func (e *env) keys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, keysUsage)
	}
	fs := e.flags("keys " + args[0])
	data := dataFlag(fs)
	since := fs.String("since", "", "with compromise: from when the key is distrusted")
	if err := fs.Parse(args[1:]); err != nil {
		return flagError(err)
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	kr, err := a.keys()
	if err != nil {
		return err
	}

	switch args[0] {
	case "export":
		doc, err := a.signedKeySet()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", doc)
		return err
	case "list":
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "KEY\tSTATUS\tNOT BEFORE\tRETIRED\tCOMPROMISED")
		for _, k := range kr.KeySet(office).Keys {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Status,
				k.NotBefore.Format(time.RFC3339), orDash(k.Retired), orDash(k.Compromised))
		}
		return w.Flush()
	case "rotate":
		s, err := kr.Rotate(time.Now())
		if err != nil {
			return err
		}
		e.log.Warn("signing key rotated: publish the new key set (sijil keys export)",
			"key_id", s.KeyID())
		fmt.Fprintln(e.stdout, s.KeyID())
		return nil
	case "retire", "compromise":
		return e.distrustKey(kr, args[0], fs.Args(), *since)
	}
	return fmt.Errorf("%w: %s", errUsage, keysUsage)
}

func orDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
