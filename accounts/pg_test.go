package accounts_test

import (
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPostgres runs the accounts tests again on PostgreSQL, the production
// database: every query must mean the same on both.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t, TestRegisterRefusesBadInput, TestNationalIDIsNeverStoredInClear,
		TestPasswordsAreArgon2idWithOwnSalt, TestSessionsEndWhenIdleOrOld, TestEndSession,
		TestStaffNeedPasswordAndFreshTOTP, TestPasswordResetWithOneTimeCode,
		TestResetCodeExpiresAndIsThrownAwayAfterWrongTries, TestInitialStaffPasswordMustBeChanged,
		TestStaffWithRole)
}
