package main

import (
	"fmt"
	"time"

	"github.com/sijil-municipality/sijil/certs"
)

func (e *env) distrustKey(kr *certs.Keyring, op string, args []string, since string) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: name one key id (sijil keys list)", errUsage)
	}
	if op == "retire" {
		if err := kr.Retire(args[0], time.Now()); err != nil {
			return err
		}
		e.log.Warn("signing key retired: publish the new key set", "key_id", args[0])
		return nil
	}

	when, err := parseSince(since)
	if err != nil {
		return err
	}
	// A compromise dated in the future would leave the thief's signatures
	// valid until then.
	if when.After(time.Now()) {
		return fmt.Errorf("%w: --since cannot be in the future: give the earliest time the "+
			"key may have been in other hands", errUsage)
	}
	if err := kr.Compromise(args[0], when); err != nil {
		return err
	}
	e.log.Warn("signing key marked compromised: certificates it signed since then are void; "+
		"publish the new key set", "key_id", args[0], "since", when.Format(time.RFC3339))
	return nil
}

func parseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: --since must be a date, YYYY-MM-DD or RFC 3339",
		errUsage)
}
