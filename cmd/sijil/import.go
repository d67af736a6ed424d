package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// importData runs 'sijil import subscriptions FILE.csv': the billing
// system's snapshot replaces the previous one, or nothing changes and every
// bad line is listed.
func (e *env) importData(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "subscriptions" {
		return fmt.Errorf("%w: want 'sijil import subscriptions FILE.csv'", errUsage)
	}
	fs := e.flags("import subscriptions")
	data := dataFlag(fs)
	by := fs.String("by", currentUser(), "who imports the snapshot, as its record shows")
	// Flags may come before or after the file, as the usage line shows.
	if err := fs.Parse(args[1:]); err != nil {
		return flagError(err)
	}
	path := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return flagError(err)
		}
	}
	if path == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: give exactly one FILE.csv (columns: national_id,"+
			"account_number,service,address,status,balance,last_payment_date,"+
			"last_payment_amount)", errUsage)
	}

	f, err := os.Open(path)
	if err != nil {
		return sijil.Errorf(sijil.NotFound, "import.no_file", "cannot read %s: %w", path, err)
	}
	defer f.Close()
	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	store, err := a.subscriptions()
	if err != nil {
		return err
	}

	sn, err := store.Import(ctx, f, *by)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Imported %d accounts from %s (SHA-256 %s); they replace the "+
		"previous snapshot.\n", sn.Rows, filepath.Base(path), sn.SHA256)
	return nil
}

// subscriptions opens the billing snapshot of the data folder. Its national
// IDs are hashed under the accounts secret, so that a citizen signed in
// through accounts finds their own.
func (a *app) subscriptions() (*subscriptions.Store, error) {
	path := filepath.Join(a.dir, "keys", "accounts.key")
	secret, created, err := accounts.LoadOrCreateSecret(path)
	if err != nil {
		return nil, err
	}
	if created {
		a.log.Warn("NO ACCOUNTS SECRET WAS FOUND: A NEW ONE WAS MADE. Citizens' national "+
			"IDs are found with it: back it up with the keys, or they are lost.", "path", path)
	}
	return subscriptions.New(subscriptions.Config{DB: a.db, Secret: secret, Logger: a.log})
}

// currentUser names the person at the console, for the import's record.
func currentUser() string {
	u, err := user.Current()
	if err == nil && u.Username != "" {
		return u.Username
	}
	return "console"
}
