package accounts_test

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
)

var ctx = context.Background()

func TestRegisterRefusesBadInput(t *testing.T) {
	env := accountstest.New(t)
	good := accounts.Registration{NationalID: accountstest.NationalID(42),
		FullName: "سلمى يوسف", Phone: "0599 123 456", Password: "long enough"}
	tests := []struct {
		name    string
		change  func(*accounts.Registration)
		wantKey string
	}{
		{"check digit wrong", func(r *accounts.Registration) {
			r.NationalID = r.NationalID[:8] + string('0'+(r.NationalID[8]-'0'+1)%10)
		}, "accounts.national_id_invalid"},
		{"eight digits", func(r *accounts.Registration) { r.NationalID = r.NationalID[:8] },
			"accounts.national_id_invalid"},
		{"no name", func(r *accounts.Registration) { r.FullName = "  " }, "accounts.name_invalid"},
		{"phone with letters", func(r *accounts.Registration) { r.Phone = "call me" },
			"accounts.phone_invalid"},
		{"short password", func(r *accounts.Registration) { r.Password = "short" },
			"accounts.password_short"},
		{"password is the ID", func(r *accounts.Registration) { r.Password = r.NationalID },
			"accounts.password_guessable"},
		{"ID inside the password", func(r *accounts.Registration) {
			r.Password = "id " + toArabicIndic(r.NationalID) + "!"
		}, "accounts.password_guessable"},
		{"phone inside the password", func(r *accounts.Registration) {
			r.Password = "call 0599123456"
		}, "accounts.password_guessable"},
		{"password is password", func(r *accounts.Registration) { r.Password = "password" },
			"accounts.password_common"},
		{"common digits", func(r *accounts.Registration) { r.Password = "12345678" },
			"accounts.password_common"},
		{"keyboard row", func(r *accounts.Registration) { r.Password = "qwertyuiop" },
			"accounts.password_common"},
		{"common with leet", func(r *accounts.Registration) { r.Password = "P@ssw0rd1" },
			"accounts.password_common"},
		{"the service's name", func(r *accounts.Registration) { r.Password = "sijil2024" },
			"accounts.password_common"},
		{"first name and a year", func(r *accounts.Registration) {
			r.FullName, r.Password = "Salma Yousef", "salma1990"
		}, "accounts.password_common"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := good
			tt.change(&reg)
			_, err := env.Accounts.Register(ctx, reg)
			if key, _ := sijil.UserMessage(err); key != tt.wantKey {
				t.Fatalf("Register: got %v (key %q), want key %q", err, key, tt.wantKey)
			}
		})
	}

	// Arabic-Indic digits are the same ID as Latin ones.
	u, err := env.Accounts.Register(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if u.Phone != "0599123456" {
		t.Errorf("phone stored as %q, want the digits only", u.Phone)
	}
	again := good
	again.NationalID = toArabicIndic(good.NationalID)
	_, err = env.Accounts.Register(ctx, again)
	if sijil.KindOf(err) != sijil.Conflict {
		t.Fatalf("second registration of the same ID: got %v, want Conflict", err)
	}
}

func toArabicIndic(s string) string {
	return strings.Map(func(r rune) rune { return '٠' + (r - '0') }, s)
}

func TestNationalIDIsNeverStoredInClear(t *testing.T) {
	env := accountstest.New(t)
	u, _ := env.Citizen(t, 7)
	if got := dumpTable(t, env.DB, "accounts_users"); strings.Contains(got, u.NationalID) {
		t.Fatalf("the national ID %s is in the table in clear:\n%s", u.NationalID, got)
	}

	// Yet the account is found by it, and shows it back.
	back, err := env.Accounts.CitizenByNationalID(ctx, u.NationalID)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != u.ID || back.NationalID != u.NationalID {
		t.Fatalf("found %+v, want %+v", back, u)
	}
	if m := back.Masked(); m != "••••••"+u.NationalID[6:] {
		t.Errorf("Masked() = %q", m)
	}
}

// dumpTable returns every value in the table as text.
func dumpTable(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				b.Write(v)
			case string:
				b.WriteString(v)
			}
			b.WriteByte('|')
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestPasswordsAreArgon2idWithOwnSalt(t *testing.T) {
	env := accountstest.New(t)
	a, pw := env.Citizen(t, 1)
	b, _ := env.Citizen(t, 2) // the same password
	var ha, hb string
	env.DB.QueryRow(`SELECT password_hash FROM accounts_users WHERE id = $1`, a.ID).Scan(&ha)
	env.DB.QueryRow(`SELECT password_hash FROM accounts_users WHERE id = $1`, b.ID).Scan(&hb)
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+` +
		`\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(ha) {
		t.Fatalf("hash %q is not an encoded argon2id hash", ha)
	}
	if ha == hb || strings.Contains(ha, pw) {
		t.Fatalf("same password, same hash (no salt?) or password in clear: %q %q", ha, hb)
	}

	if _, err := env.Accounts.AuthenticateCitizen(ctx, a.NationalID, pw); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	for _, wrong := range []string{pw + "x", "", strings.ToUpper(pw)} {
		_, err := env.Accounts.AuthenticateCitizen(ctx, a.NationalID, wrong)
		if sijil.KindOf(err) != sijil.Unauthorized {
			t.Errorf("password %q: got %v, want Unauthorized", wrong, err)
		}
	}
	_, err := env.Accounts.AuthenticateCitizen(ctx, accountstest.NationalID(99), pw)
	if key, _ := sijil.UserMessage(err); key != "accounts.bad_credentials" {
		t.Errorf("unknown ID: got %v, want the same answer as a wrong password", err)
	}
}

func TestSessionsEndWhenIdleOrOld(t *testing.T) {
	env := accountstest.New(t)
	citizen, _ := env.Citizen(t, 3)
	staff := env.Staff(t, "clerk1", accounts.RoleClerk)
	p := accounts.DefaultPolicy

	tests := []struct {
		name   string
		user   string
		steps  []time.Duration // clock moves, each followed by a use
		wantOK bool
	}{
		{"citizen active", citizen.ID, []time.Duration{time.Hour, time.Hour}, true},
		{"citizen idle", citizen.ID, []time.Duration{p.CitizenIdle}, false},
		{"staff idle sooner", staff.User.ID, []time.Duration{p.StaffIdle}, false},
		{"staff active", staff.User.ID, []time.Duration{20 * time.Minute, 20 * time.Minute}, true},
		{"past the lifetime, though active", citizen.ID, everyHour(13), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, _, err := env.Accounts.StartSession(ctx, tt.user)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range tt.steps {
				env.Clock.Advance(d)
				_, _, err = env.Accounts.SessionUser(ctx, token)
			}
			if ok := err == nil; ok != tt.wantOK {
				t.Fatalf("session after %v: err %v, want ok=%v", tt.steps, err, tt.wantOK)
			}
		})
	}
}

func everyHour(n int) []time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		d[i] = time.Hour
	}
	return d
}

func TestEndSession(t *testing.T) {
	env := accountstest.New(t)
	u, _ := env.Citizen(t, 4)
	token, _, err := env.Accounts.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpTable(t, env.DB, "accounts_sessions"); strings.Contains(got, token) {
		t.Fatal("the session token is stored in clear")
	}
	if err := env.Accounts.EndSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Accounts.SessionUser(ctx, token); sijil.KindOf(err) != sijil.Unauthorized {
		t.Fatalf("after EndSession: got %v, want Unauthorized", err)
	}
}

func TestStaffNeedPasswordAndFreshTOTP(t *testing.T) {
	env := accountstest.New(t)
	c := env.Staff(t, "super", accounts.RoleSupervisor, accounts.RoleClerk)
	if strings.Join(c.User.Roles, ",") != "clerk,supervisor" {
		t.Fatalf("roles %v", c.User.Roles)
	}
	if !strings.HasPrefix(c.TOTP.URL(), "otpauth://totp/Sijil:super?") {
		t.Fatalf("enrolment URL %q", c.TOTP.URL())
	}
	auth := func(pw, code string) error {
		_, err := env.Accounts.AuthenticateStaff(ctx, "super", pw, code)
		return err
	}
	if err := auth(c.Password, "000000"); sijil.KindOf(err) != sijil.Unauthorized {
		t.Fatalf("wrong code: %v", err)
	}
	if err := auth("wrong password", env.Code(t, c, 0)); sijil.KindOf(err) != sijil.Unauthorized {
		t.Fatalf("wrong password: %v", err)
	}
	code := env.Code(t, c, 0)
	if err := auth(c.Password, code); err != nil {
		t.Fatalf("right password and code: %v", err)
	}
	if err := auth(c.Password, code); sijil.KindOf(err) != sijil.Unauthorized {
		t.Fatalf("the same code again (replay): %v", err)
	}
	env.Clock.Advance(30 * time.Second)
	if err := auth(c.Password, env.Code(t, c, 0)); err != nil {
		t.Fatalf("next step's code: %v", err)
	}
	if err := auth(c.Password, env.Code(t, c, -2)); sijil.KindOf(err) != sijil.Unauthorized {
		t.Fatalf("a code a minute old: %v", err)
	}

	_, err := env.Accounts.AddStaff(ctx, accounts.NewStaff{Login: "super",
		Roles: []string{"admin"}})
	if sijil.KindOf(err) != sijil.Conflict {
		t.Fatalf("same login twice: %v", err)
	}
	_, err = env.Accounts.AddStaff(ctx, accounts.NewStaff{Login: "boss",
		Roles: []string{"root"}})
	if key, _ := sijil.UserMessage(err); key != "accounts.role_unknown" {
		t.Fatalf("unknown role: %v", err)
	}
}

func TestPasswordResetWithOneTimeCode(t *testing.T) {
	env := accountstest.New(t)
	u, oldPassword := env.Citizen(t, 5)
	token, _, _ := env.Accounts.StartSession(ctx, u.ID)

	if err := env.Accounts.RequestReset(ctx, u.NationalID); err != nil {
		t.Fatal(err)
	}
	code := lastCode(t, env)
	// Asking again at once sends nothing new.
	if err := env.Accounts.RequestReset(ctx, u.NationalID); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := env.Outbox.Latest(ctx, 10); len(msgs) != 1 {
		t.Fatalf("%d messages after two quick requests, want 1", len(msgs))
	}
	// An unknown ID is answered the same, and nothing is sent.
	if err := env.Accounts.RequestReset(ctx, accountstest.NationalID(77)); err != nil {
		t.Fatalf("unknown ID: %v", err)
	}

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	err := env.Accounts.ResetPassword(ctx, u.NationalID, wrong, "a new password")
	if key, _ := sijil.UserMessage(err); key != "accounts.reset_code_wrong" {
		t.Fatalf("wrong code: %v", err)
	}
	if err := env.Accounts.ResetPassword(ctx, u.NationalID, code, "a new password"); err != nil {
		t.Fatalf("right code: %v", err)
	}
	if _, err := env.Accounts.AuthenticateCitizen(ctx, u.NationalID, "a new password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, err := env.Accounts.AuthenticateCitizen(ctx, u.NationalID, oldPassword); err == nil {
		t.Fatal("the old password still works")
	}
	if _, _, err := env.Accounts.SessionUser(ctx, token); err == nil {
		t.Fatal("a session from before the reset is still open")
	}
	if err := env.Accounts.ResetPassword(ctx, u.NationalID, code, "another one!"); err == nil {
		t.Fatal("a used code worked twice")
	}
}

func TestResetCodeExpiresAndIsThrownAwayAfterWrongTries(t *testing.T) {
	env := accountstest.New(t)
	u, _ := env.Citizen(t, 6)
	p := accounts.DefaultPolicy

	t.Run("expired", func(t *testing.T) {
		env.Accounts.RequestReset(ctx, u.NationalID)
		code := lastCode(t, env)
		env.Clock.Advance(p.ResetCodeTTL)
		if err := env.Accounts.ResetPassword(ctx, u.NationalID, code, "new password 1"); err == nil {
			t.Fatal("an expired code worked")
		}
	})
	t.Run("too many wrong tries", func(t *testing.T) {
		env.Clock.Advance(p.ResetResend)
		env.Accounts.RequestReset(ctx, u.NationalID)
		code := lastCode(t, env)
		for i := 0; i < p.ResetAttempts; i++ {
			wrong := []byte(code)
			wrong[0] = '0' + (wrong[0]-'0'+1)%10
			env.Accounts.ResetPassword(ctx, u.NationalID, string(wrong), "new password 1")
		}
		if err := env.Accounts.ResetPassword(ctx, u.NationalID, code, "new password 1"); err == nil {
			t.Fatalf("the right code worked after %d wrong tries", p.ResetAttempts)
		}
	})
}

// lastCode reads the six-digit code from the newest outbox message.
func lastCode(t *testing.T, env accountstest.Env) string {
	t.Helper()
	msgs, err := env.Outbox.Latest(ctx, 1)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no message in the outbox (%v)", err)
	}
	code := regexp.MustCompile(`\b[0-9]{6}\b`).FindString(msgs[0].Body)
	if code == "" {
		t.Fatalf("no code in %q", msgs[0].Body)
	}
	return code
}

func TestInitialStaffPasswordMustBeChanged(t *testing.T) {
	env := accountstest.New(t)
	c, err := env.Accounts.AddStaff(ctx, accounts.NewStaff{Login: "newcomer",
		Roles: []string{accounts.RoleClerk}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.User.MustChangePassword {
		t.Fatal("a password the admin saw need not be changed")
	}
	tests := []struct {
		name, current, next, wantKey string
	}{
		{"wrong current", "not it", "a long new password", "accounts.current_password_wrong"},
		{"too short for staff", c.Password, "eleven char", "accounts.password_short_staff"},
		{"the same", c.Password, c.Password, "accounts.password_unchanged"},
		{"the login", c.Password, "newcomer", "accounts.password_short_staff"},
		{"common for staff", c.Password, "Password1234", "accounts.password_common"},
		{"login inside", c.Password, "newcomer2024!", "accounts.password_common"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := env.Accounts.ChangePassword(ctx, c.User.ID, tt.current, tt.next)
			if key, _ := sijil.UserMessage(err); key != tt.wantKey {
				t.Fatalf("got %v, want key %q", err, tt.wantKey)
			}
		})
	}
	if err := env.Accounts.ChangePassword(ctx, c.User.ID, c.Password,
		"my own long password"); err != nil {
		t.Fatal(err)
	}
	u, err := env.Accounts.AuthenticateStaff(ctx, "newcomer", "my own long password",
		env.Code(t, c, 0))
	if err != nil {
		t.Fatal(err)
	}
	if u.MustChangePassword {
		t.Fatal("still must change the password after changing it")
	}
}
