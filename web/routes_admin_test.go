package web_test

// accessAdmin is who may reach the routes of adminRoutes (routes_admin.go).
var accessAdmin = map[string]who{}
