package web_test

// accessCitizen is who may reach the routes of citizenRoutes (routes_citizen.go).
// Only citizens: staff read requests and tickets through their own pages,
// where each view is audited.
var accessCitizen = map[string]who{
	"GET /requests":                   citizens,
	"GET /requests/new":               citizens,
	"GET /requests/new/{kind}":        citizens,
	"POST /requests/new/{kind}":       citizens,
	"GET /requests/{ref}":             citizens,
	"POST /requests/{ref}/answer":     citizens,
	"GET /requests/{ref}/certificate": citizens,
	"GET /requests/{ref}/files/{id}":  citizens,
	"GET /tickets":                    citizens,
	"GET /tickets/new":                citizens,
	"POST /tickets/new":               citizens,
	"GET /tickets/{ref}":              citizens,
	"POST /tickets/{ref}/follow-up":   citizens,
	"POST /tickets/{ref}/close":       citizens,
	"GET /tickets/{ref}/files/{id}":   citizens,
}
