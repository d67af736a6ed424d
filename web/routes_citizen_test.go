package web_test

// accessCitizen is who may reach the routes of citizenRoutes (routes_citizen.go).
var accessCitizen = map[string]who{}
