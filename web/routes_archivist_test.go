package web_test

// accessArchivist is who may reach the routes of archivistRoutes (routes_archivist.go).
var accessArchivist = map[string]who{}
