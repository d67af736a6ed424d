package web_test

import "github.com/sijil-municipality/sijil/accounts"

// accessAdmin is who may reach the routes of adminRoutes (routes_admin.go).
var accessAdmin = map[string]who{
	"GET /admin/audit": staffWith(accounts.RoleAdmin),
}
