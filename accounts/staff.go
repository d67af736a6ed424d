package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sijil-municipality/sijil"
)

// NewStaff is what an admin gives to create a staff account.
type NewStaff struct {
	Login    string   // sign-in name: lower-case letters, digits, '.', '_', '-'
	FullName string   // as shown to colleagues and in the audit trail
	Phone    string   // optional
	Roles    []string // one or more of StaffRoles
	Password string   // empty: a random one is made and returned

	// TOTPSecret is empty for a real account: a random secret is made.
	// Only the demo accounts set it, to DemoTOTPSecret.
	TOTPSecret string

	// KeepPassword lets the password stand after the first sign-in. Only
	// the demo accounts and tests set it: anyone else's initial password
	// was seen by the admin, so it must be changed at once.
	KeepPassword bool
}

// DemoTOTPSecret is the published TOTP secret of the demo staff accounts
// (sijil serve --demo), so that anyone trying Sijil can sign in as staff.
// No real account may use it.
const DemoTOTPSecret = "SIJILDEMOSIJILDEMOSIJILDEMOSIJIL"

// StaffCreated is a new staff account with what must be handed to its
// owner once: the initial password and the TOTP enrolment.
type StaffCreated struct {
	User     User
	Password string   // shown once; never stored in clear
	TOTP     *otp.Key // its URL() goes into an authenticator app
}

// totpIssuer names Sijil in authenticator apps.
const totpIssuer = "Sijil"

// loginShape is a staff sign-in name.
var loginShape = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// AddStaff creates a staff account with a TOTP secret. A login already in
// use is kind Conflict.
func (s *Service) AddStaff(ctx context.Context, in NewStaff) (StaffCreated, error) {
	login := strings.ToLower(strings.TrimSpace(in.Login))
	if !loginShape.MatchString(login) {
		return StaffCreated{}, sijil.Errorf(sijil.Invalid, "accounts.login_invalid",
			"the sign-in name must be 3 to 32 lower-case letters, digits, '.', '_' or '-', "+
				"starting with a letter")
	}
	fullName := in.FullName
	if strings.TrimSpace(fullName) == "" {
		fullName = login
	}
	name, err := cleanName(fullName)
	if err != nil {
		return StaffCreated{}, err
	}
	phone := ""
	if in.Phone != "" {
		if phone, err = cleanPhone(in.Phone); err != nil {
			return StaffCreated{}, err
		}
	}
	roles, err := checkRoles(in.Roles)
	if err != nil {
		return StaffCreated{}, err
	}
	password := in.Password
	if password == "" {
		password = randomPassword()
	}
	if err := checkPasswordRule(password, MinStaffPassword, login, name); err != nil {
		return StaffCreated{}, err
	}
	opts := totp.GenerateOpts{Issuer: totpIssuer, AccountName: login}
	if in.TOTPSecret != "" {
		if opts.Secret, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(
			in.TOTPSecret); err != nil {
			return StaffCreated{}, fmt.Errorf("accounts: TOTP secret: %w", err)
		}
	}
	key, err := totp.Generate(opts)
	if err != nil {
		return StaffCreated{}, fmt.Errorf("accounts: make TOTP secret: %w", err)
	}
	sealed, err := s.seal(key.Secret())
	if err != nil {
		return StaffCreated{}, fmt.Errorf("accounts: seal TOTP secret: %w", err)
	}

	u := User{ID: randomID("usr_"), Kind: KindStaff, Login: login, FullName: name,
		Phone: phone, Roles: roles, CreatedAt: s.now().UTC(), MustChangePassword: !in.KeepPassword}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return StaffCreated{}, fmt.Errorf("accounts: add staff: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO accounts_users (id, kind, login,
		national_id_mac, national_id_enc, full_name, phone, password_hash, totp_secret,
		totp_last_step, disabled, created_at, must_change_password)
		VALUES ($1, $2, $3, NULL, '', $4, $5, $6, $7, 0, FALSE, $8, $9)`,
		u.ID, u.Kind, login, name, phone, hashPassword(password), sealed,
		formatTime(u.CreatedAt), !in.KeepPassword)
	if err != nil {
		if _, lerr := s.loadWhere(ctx, "u.login = $1", login); lerr == nil {
			return StaffCreated{}, sijil.Errorf(sijil.Conflict, "accounts.login_taken",
				"the sign-in name %q is already in use", login)
		}
		return StaffCreated{}, fmt.Errorf("accounts: add staff: %w", err)
	}
	for _, role := range roles {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts_roles (user_id, role)
			VALUES ($1, $2)`, u.ID, role)
		if err != nil {
			return StaffCreated{}, fmt.Errorf("accounts: add role: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return StaffCreated{}, fmt.Errorf("accounts: add staff: %w", err)
	}
	s.log.Info("staff account created", "user_id", u.ID, "roles", strings.Join(roles, ","))
	return StaffCreated{User: u, Password: password, TOTP: key}, nil
}

// AuthenticateStaff returns the staff member whose sign-in name, password
// and current TOTP code these are, or kind Unauthorized. A code is
// accepted once: the same code replayed within its window is refused.
func (s *Service) AuthenticateStaff(ctx context.Context, login, password, code string) (
	User, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	row, err := s.loadWhere(ctx, "u.login = $1", login)
	if errors.Is(err, errNoUser) || len(password) > maxPassword*4 {
		checkPassword(dummyHash, password)
		return User{}, errBadStaffCredentials()
	}
	if err != nil {
		return User{}, err
	}
	if !checkPassword(row.passwordHash, password) || row.disabled || !row.IsStaff() {
		return User{}, errBadStaffCredentials()
	}

	step, ok := matchTOTP(row.totpSecret, sijil.NormalizeDigits(strings.TrimSpace(code)),
		s.now())
	if !ok || step <= row.totpLastStep {
		return User{}, errBadStaffCredentials()
	}
	// The update wins only if no other sign-in used this step first.
	res, err := s.db.ExecContext(ctx, `UPDATE accounts_users SET totp_last_step = $1
		WHERE id = $2 AND totp_last_step < $1`, step, row.ID)
	if err != nil {
		return User{}, fmt.Errorf("accounts: record TOTP step: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return User{}, errBadStaffCredentials()
	}
	return row.User, nil
}

// totpPeriod is the standard 30-second step of authenticator apps.
const totpPeriod = 30

// matchTOTP looks for code in the step before, at and after now (clocks
// drift), and returns the step it matched.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1}
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// TOTPCode returns the code an authenticator app would show for secret at
// t. Tests and the demo use it; the server never needs it.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// randomPassword returns 128 random bits as 26 base32 characters, which
// read aloud and type without ambiguity.
func randomPassword() string { return rand.Text() }
