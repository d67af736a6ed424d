package web_test

import "github.com/sijil-municipality/sijil/accounts"

// accessArchivist is who may reach the routes of archivistRoutes (routes_archivist.go).
var accessArchivist = map[string]who{
	"GET /archive":                               archivists,
	"GET /archive/search":                        archivists,
	"GET /archive/records/{id}":                  archivists,
	"POST /archive/records/{id}":                 archivists,
	"GET /archive/records/{id}/pages/{n}/text":   archivists,
	"POST /archive/records/{id}/pages/{n}/text":  archivists,
	"GET /archive/records/{id}/pages/{n}/{kind}": archivists,
	"GET /archive/duplicates":                    archivists,
	"POST /archive/duplicates/{id}":              archivists,
	"GET /archive/upload":                        archivists,
	"POST /archive/upload":                       archivists,
	"GET /archive/imports":                       archivists,
	"GET /archive/imports/{id}":                  archivists,
}

var archivists = staffWith(accounts.RoleArchivist)
