package web_test

// accessClerk is who may reach the routes of clerkRoutes (routes_clerk.go).
var accessClerk = map[string]who{}
