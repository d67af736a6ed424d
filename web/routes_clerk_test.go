package web_test

import "github.com/sijil-municipality/sijil/accounts"

// office is clerks and supervisors; supervisorOnly the decisions only a
// supervisor takes.
var (
	office         = staffWith(accounts.RoleClerk, accounts.RoleSupervisor)
	supervisorOnly = staffWith(accounts.RoleSupervisor)
)

// accessClerk is who may reach the routes of clerkRoutes (routes_clerk.go).
var accessClerk = map[string]who{
	"GET /office":                                office,
	"GET /office/queue":                          office,
	"GET /office/dashboard":                      office,
	"GET /office/requests/{ref}":                 office,
	"POST /office/requests/{ref}/redraw":         office,
	"GET /office/requests/{ref}/files/{id}":      office,
	"GET /office/requests/{ref}/certificate.pdf": office,
	"POST /office/requests/{ref}/take":           office,
	"POST /office/requests/{ref}/review":         office,
	"POST /office/requests/{ref}/ask":            office,
	"POST /office/requests/{ref}/reject":         office,
	"POST /office/requests/{ref}/draft":          office,
	"POST /office/requests/{ref}/assign":         supervisorOnly,
	"POST /office/requests/{ref}/approve":        supervisorOnly,
	"POST /office/requests/{ref}/return":         supervisorOnly,
	"POST /office/requests/{ref}/revoke":         supervisorOnly,
	"POST /office/requests/{ref}/supersede":      supervisorOnly,
	"GET /office/records/{id}/pages/{n}/{kind}":  office,
	"GET /office/tickets":                        office,
	"GET /office/tickets/{ref}":                  office,
	"GET /office/tickets/{ref}/files/{id}":       office,
	"POST /office/tickets/{ref}/reply":           office,
	"POST /office/tickets/{ref}/close":           office,
}
