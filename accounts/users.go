package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sijil-municipality/sijil"
)

// Registration is what a citizen types to open an account.
type Registration struct {
	NationalID string
	FullName   string
	Phone      string
	Password   string
}

// Register opens a citizen's account. Bad input comes back as kind
// Invalid, one error per wrong field joined (FieldErrors tells them
// apart), so that the form can mark them all at once; a national ID that
// already has an account as kind Conflict.
func (s *Service) Register(ctx context.Context, reg Registration) (User, error) {
	id, name, phone, err := cleanRegistration(reg)
	if err != nil {
		return User{}, err
	}

	enc, err := s.seal(id)
	if err != nil {
		return User{}, fmt.Errorf("accounts: seal national ID: %w", err)
	}
	u := User{ID: randomID("usr_"), Kind: KindCitizen, NationalID: id, FullName: name,
		Phone: phone, CreatedAt: s.now().UTC()}
	_, err = s.db.ExecContext(ctx, `INSERT INTO accounts_users (id, kind, login,
		national_id_mac, national_id_enc, full_name, phone, password_hash, totp_secret,
		totp_last_step, disabled, created_at)
		VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, '', 0, FALSE, $8)`,
		u.ID, u.Kind, s.mac("national_id", id), enc, name, phone,
		hashPassword(reg.Password), formatTime(u.CreatedAt))
	if err != nil {
		if s.citizenExists(ctx, id) {
			return User{}, sijil.Errorf(sijil.Conflict, "accounts.national_id_taken",
				"An account already exists for this national ID. Sign in, or reset "+
					"the password if you forgot it.")
		}
		return User{}, fmt.Errorf("accounts: register: %w", err)
	}
	s.log.Info("citizen registered", "user_id", u.ID)
	return u, nil
}

// CheckRegistration reports every problem of reg as Register would, with
// no account made: a form can add its own checks and show them all.
func CheckRegistration(reg Registration) error {
	_, _, _, err := cleanRegistration(reg)
	return err
}

// cleanRegistration cleans what was typed and checks every field, so
// that a citizen sees all the problems of the form in one go.
func cleanRegistration(reg Registration) (id, name, phone string, err error) {
	var errs []error
	id = sijil.NormalizeDigits(strings.TrimSpace(reg.NationalID))
	if !sijil.ValidNationalID(id) {
		errs = append(errs, sijil.Errorf(sijil.Invalid, "accounts.national_id_invalid",
			"The national ID must be the 9 digits on your ID card; check each digit."))
	}
	name, nameErr := cleanName(reg.FullName)
	phone, phoneErr := cleanPhone(reg.Phone)
	errs = append(errs, nameErr, phoneErr,
		checkPasswordRule(reg.Password, MinCitizenPassword, id, phone, name))
	return id, name, phone, errors.Join(errs...)
}

// fieldOfKey names the form field each registration or password error
// is about.
var fieldOfKey = map[string]string{
	"accounts.national_id_invalid":  "national_id",
	"accounts.national_id_taken":    "national_id",
	"accounts.name_invalid":         "full_name",
	"accounts.phone_invalid":        "phone",
	"accounts.password_short":       "password",
	"accounts.password_short_staff": "password",
	"accounts.password_long":        "password",
	"accounts.password_guessable":   "password",
	"accounts.password_common":      "password",
	"accounts.password_unchanged":   "password",
}

// FieldErrors maps each form field named by an error in err's tree (as
// Register joins them) to its first error. Errors about no field are
// left out.
func FieldErrors(err error) map[string]*sijil.Error {
	out := map[string]*sijil.Error{}
	sijil.EachJoined(err, func(err error) {
		var se *sijil.Error
		if errors.As(err, &se) {
			if field, ok := fieldOfKey[se.Key]; ok && out[field] == nil {
				out[field] = se
			}
		}
	})
	return out
}

func (s *Service) citizenExists(ctx context.Context, nationalID string) bool {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts_users
		WHERE national_id_mac = $1`, s.mac("national_id", nationalID)).Scan(&n)
	return err == nil && n > 0
}

// errBadCredentials is the one answer to every failed sign-in, so that
// nobody learns which part was wrong or whether the account exists.
func errBadCredentials() error {
	return sijil.Errorf(sijil.Unauthorized, "accounts.bad_credentials",
		"The national ID or the password is wrong.")
}

func errBadStaffCredentials() error {
	return sijil.Errorf(sijil.Unauthorized, "accounts.bad_staff_credentials",
		"The name, the password or the code is wrong.")
}

// AuthenticateCitizen returns the citizen whose national ID and password
// these are, or kind Unauthorized.
func (s *Service) AuthenticateCitizen(ctx context.Context, nationalID, password string) (
	User, error) {
	id := sijil.NormalizeDigits(strings.TrimSpace(nationalID))
	if !sijil.ValidNationalID(id) || len(password) > maxPassword*4 {
		checkPassword(dummyHash, password)
		return User{}, errBadCredentials()
	}
	row, err := s.loadWhere(ctx, "u.national_id_mac = $1", s.mac("national_id", id))
	if errors.Is(err, errNoUser) {
		checkPassword(dummyHash, password)
		return User{}, errBadCredentials()
	}
	if err != nil {
		return User{}, err
	}
	if !checkPassword(row.passwordHash, password) || row.disabled {
		return User{}, errBadCredentials()
	}
	return row.User, nil
}

// UserByID returns the account with this id, or kind NotFound.
func (s *Service) UserByID(ctx context.Context, id string) (User, error) {
	row, err := s.loadWhere(ctx, "u.id = $1", id)
	if errors.Is(err, errNoUser) {
		return User{}, sijil.Errorf(sijil.NotFound, "accounts.no_user", "There is no such account.")
	}
	return row.User, err
}

// CitizenByNationalID returns the citizen's account for this national ID,
// or kind NotFound.
func (s *Service) CitizenByNationalID(ctx context.Context, nationalID string) (User, error) {
	id := sijil.NormalizeDigits(strings.TrimSpace(nationalID))
	row, err := s.loadWhere(ctx, "u.national_id_mac = $1", s.mac("national_id", id))
	if errors.Is(err, errNoUser) {
		return User{}, sijil.Errorf(sijil.NotFound, "accounts.no_user",
			"There is no account for this national ID.")
	}
	return row.User, err
}

var errNoUser = errors.New("no such user")

// userRow is a user with what never leaves this package.
type userRow struct {
	User
	passwordHash string
	totpSecret   string
	totpLastStep int64
	disabled     bool
}

// loadWhere loads the one user matching cond (a SQL condition on alias u
// with $1 as its argument), with roles.
func (s *Service) loadWhere(ctx context.Context, cond string, arg any) (userRow, error) {
	var r userRow
	var login sql.NullString
	var enc, totp, created string
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.kind, u.login, u.national_id_enc,
		u.full_name, u.phone, u.password_hash, u.totp_secret, u.totp_last_step, u.disabled,
		u.created_at, u.must_change_password FROM accounts_users u WHERE `+cond, arg).Scan(
		&r.ID, &r.Kind, &login, &enc, &r.FullName, &r.Phone, &r.passwordHash, &totp,
		&r.totpLastStep, &r.disabled, &created, &r.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) {
		return userRow{}, errNoUser
	}
	if err != nil {
		return userRow{}, fmt.Errorf("accounts: load user: %w", err)
	}
	r.Login = login.String
	if r.NationalID, err = s.open(enc); err != nil {
		return userRow{}, err
	}
	if r.totpSecret, err = s.open(totp); err != nil {
		return userRow{}, err
	}
	if r.CreatedAt, err = parseTime(created); err != nil {
		return userRow{}, fmt.Errorf("accounts: user %s created_at: %w", r.ID, err)
	}
	if r.Roles, err = s.roles(ctx, r.ID); err != nil {
		return userRow{}, err
	}
	return r, nil
}

func (s *Service) roles(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT role FROM accounts_roles WHERE user_id = $1
		ORDER BY role`, userID)
	if err != nil {
		return nil, fmt.Errorf("accounts: load roles: %w", err)
	}
	defer rows.Close()
	var roles []string
	for rows.Next() {
		var role string
		if err := rows.Scan(&role); err != nil {
			return nil, fmt.Errorf("accounts: load roles: %w", err)
		}
		roles = append(roles, role)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("accounts: load roles: %w", err)
	}
	return roles, nil
}

func cleanName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if n := utf8.RuneCountInString(name); n < 3 || n > 100 {
		return "", sijil.Errorf(sijil.Invalid, "accounts.name_invalid",
			"Write your full name as on your ID card (3 to 100 characters).")
	}
	return name, nil
}

// phoneShape is an international or local number once spaces and dashes
// are gone.
var phoneShape = regexp.MustCompile(`^\+?[0-9]{7,15}$`)

func cleanPhone(phone string) (string, error) {
	phone = sijil.NormalizeDigits(phone)
	phone = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, phone)
	if !phoneShape.MatchString(phone) {
		return "", sijil.Errorf(sijil.Invalid, "accounts.phone_invalid",
			"Write a mobile number of 7 to 15 digits, for example 0599123456.")
	}
	return phone, nil
}

// checkRoles refuses an empty list or an unknown role, and returns the
// roles sorted without repeats.
func checkRoles(roles []string) ([]string, error) {
	var out []string
	for _, r := range roles {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		if !slices.Contains(StaffRoles, r) {
			return nil, sijil.Errorf(sijil.Invalid, "accounts.role_unknown",
				"unknown role %q: use %s", r, strings.Join(StaffRoles, ", "))
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, sijil.Errorf(sijil.Invalid, "accounts.role_missing",
			"give at least one role: %s", strings.Join(StaffRoles, ", "))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
