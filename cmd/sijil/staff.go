package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/skip2/go-qrcode"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/notify"
)

// accounts opens the accounts of the data folder with the notifier given,
// making the accounts secret on first use with a loud warning.
func (a *app) accounts(n notify.Notifier) (*accounts.Service, error) {
	path := filepath.Join(a.dir, "keys", "accounts.key")
	secret, created, err := accounts.LoadOrCreateSecret(path)
	if err != nil {
		return nil, err
	}
	if created {
		a.log.Warn("NO ACCOUNTS SECRET WAS FOUND: A NEW ONE WAS MADE. Citizens' national "+
			"IDs are found and read with it: back it up with the keys, or they are lost.",
			"path", path)
	}
	return accounts.New(accounts.Config{DB: a.db, Secret: secret, Notifier: n,
		Logger: a.log})
}

// staff runs 'sijil staff add'.
func (e *env) staff(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: want 'sijil staff add --name LOGIN --role ROLE[,ROLE]'",
			errUsage)
	}
	fs := e.flags("staff add")
	data := dataFlag(fs)
	name := fs.String("name", "", "sign-in name: lower-case letters, digits, '.', '_', '-'")
	fullName := fs.String("full-name", "", "the person's full name (default: --name)")
	phone := fs.String("phone", "", "mobile number (optional)")
	roles := fs.String("role", "", "roles, comma-separated: "+
		strings.Join(accounts.StaffRoles, ", "))
	fromStdin := fs.Bool("password-stdin", false,
		"read the initial password from standard input instead of making one")
	if err := fs.Parse(args[1:]); err != nil {
		return flagError(err)
	}
	if *name == "" || *roles == "" {
		return fmt.Errorf("%w: --name and --role are required", errUsage)
	}
	password := ""
	if *fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return sijil.Errorf(sijil.Invalid, "staff.no_password",
				"no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}

	a, err := openApp(ctx, *data, e.log, false)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, err := a.accounts(notify.Log{Log: e.log})
	if err != nil {
		return err
	}
	created, err := svc.AddStaff(ctx, accounts.NewStaff{Login: *name, FullName: *fullName,
		Phone: *phone, Roles: strings.Split(*roles, ","), Password: password})
	if err != nil {
		return err
	}
	return e.printEnrolment(created, !*fromStdin)
}

// printEnrolment shows what the new staff member needs once: the initial
// password (unless they chose it) and the TOTP enrolment as a link and a
// QR code for an authenticator app.
func (e *env) printEnrolment(c accounts.StaffCreated, showPassword bool) error {
	fmt.Fprintf(e.stdout, "Staff account %s (%s), roles: %s\n", c.User.Login, c.User.ID,
		strings.Join(c.User.Roles, ", "))
	if showPassword {
		fmt.Fprintf(e.stdout, "Initial password (shown once; it must be changed at the "+
			"first sign-in): %s\n", c.Password)
	}
	fmt.Fprintf(e.stdout, "Add this to an authenticator app (shown once):\n%s\n", c.TOTP.URL())
	q, err := qrcode.New(c.TOTP.URL(), qrcode.Medium)
	if err != nil {
		return fmt.Errorf("draw the enrolment QR code: %w", err)
	}
	fmt.Fprint(e.stdout, q.ToSmallString(false))
	return nil
}

// Demo accounts: published in the README so that anyone can try the
// portal. They exist only where 'sijil serve --demo' made them.
const (
	demoCitizenID       = "123456782" // the holder of the demo certificate
	demoCitizenPassword = "demo-citizen-1"
	demoStaffPassword   = "demo-staff-pass-1"
)

// demoStaffNames are the demo staff's full names, Arabic as a municipal
// office's are, since the pages show them in the timeline and the trail.
var demoStaffNames = map[string]string{
	accounts.RoleClerk:      "سامر عيسى",
	accounts.RoleSupervisor: "ليلى حداد",
	accounts.RoleArchivist:  "هدى نصار",
	accounts.RoleAdmin:      "خالد سليم",
}

// addDemoAccounts makes the demo citizen and one staff member per role,
// once, and logs how to sign in as them: this is the demo, so the
// passwords are public anyway.
func (e *env) addDemoAccounts(ctx context.Context, svc *accounts.Service) error {
	_, err := svc.Register(ctx, accounts.Registration{NationalID: demoCitizenID,
		FullName: "أحمد محمود الخطيب", Phone: "0599000001", Password: demoCitizenPassword})
	if err != nil && sijil.KindOf(err) != sijil.Conflict {
		return err
	}
	for _, role := range accounts.StaffRoles {
		_, err := svc.AddStaff(ctx, accounts.NewStaff{Login: "demo-" + role,
			FullName: demoStaffNames[role], Roles: []string{role}, Password: demoStaffPassword,
			TOTPSecret: accounts.DemoTOTPSecret, KeepPassword: true})
		if err != nil && sijil.KindOf(err) != sijil.Conflict {
			return err
		}
	}
	// Printed, not logged: the demo citizen's national ID is made up, but a
	// national ID in a log line must never look normal.
	e.log.Warn("DEMO ACCOUNTS with public passwords were made; never run --demo on a " +
		"real server")
	fmt.Fprintf(e.stdout, "Demo citizen: national ID %s, password %s\n", demoCitizenID,
		demoCitizenPassword)
	fmt.Fprintf(e.stdout, "Demo staff: demo-clerk, demo-supervisor, demo-archivist, "+
		"demo-admin, password %s, code from /dev/outbox (TOTP secret %s)\n",
		demoStaffPassword, accounts.DemoTOTPSecret)
	return nil
}
