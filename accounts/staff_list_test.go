package accounts_test

import (
	"slices"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
)

func TestStaffWithRole(t *testing.T) {
	env := accountstest.New(t)
	env.Staff(t, "zeina", accounts.RoleClerk)
	env.Staff(t, "adam", accounts.RoleClerk, accounts.RoleSupervisor)
	env.Staff(t, "samir", accounts.RoleArchivist)
	env.Citizen(t, 1)

	for _, tt := range []struct {
		role string
		want []string
	}{
		{accounts.RoleClerk, []string{"adam", "zeina"}},
		{accounts.RoleSupervisor, []string{"adam"}},
		{accounts.RoleAdmin, nil},
	} {
		users, err := env.Accounts.StaffWithRole(ctx, tt.role)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range users {
			if !u.Has(tt.role) {
				t.Errorf("%s listed as %s, holding %v", u.Login, tt.role, u.Roles)
			}
			got = append(got, u.Login)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v (by name)", tt.role, got, tt.want)
		}
	}
}
