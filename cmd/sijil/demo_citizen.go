package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// demoBilling is the demo citizen's billing snapshot, as the billing
// system exports it: water with a balance due, solid waste paid up, and an
// account of someone else, which the demo citizen must not see.
var demoBilling = strings.Join([]string{
	strings.Join(subscriptions.Columns, ","),
	demoCitizenID + ",W-10-4471,water,\"الرمال، شارع عمر المختار، عمارة الخطيب\",active," +
		"86.40,2026-10-14,50.00",
	demoCitizenID + ",SW-10-0932,solid_waste,\"الرمال، شارع عمر المختار، عمارة الخطيب\"," +
		"active,0.00,2026-11-02,30.00",
	"234567899,W-12-0088,water,\"الشجاعية، شارع المنطار\",suspended,412.75,,",
}, "\n") + "\n"

// addDemoSubscriptions imports the demo billing snapshot through the real
// import, only when no snapshot was ever imported: a second --demo start
// keeps whatever is live, demo or not.
func (e *env) addDemoSubscriptions(ctx context.Context, store *subscriptions.Store) error {
	_, err := store.Snapshot(ctx)
	if err == nil {
		return nil
	}
	if sijil.KindOf(err) != sijil.NotFound {
		return err
	}
	sn, err := store.Import(ctx, strings.NewReader(demoBilling), "sijil serve --demo")
	if err != nil {
		return fmt.Errorf("demo billing snapshot: %w", err)
	}
	fmt.Fprintf(e.stdout, "Demo billing snapshot imported: %d accounts.\n", sn.Rows)
	return nil
}
