package web

import "github.com/go-chi/chi/v5"

// citizenRoutes registers the citizens' pages: subscriptions, requests,
// complaints. Handler mounts them behind RequireCitizen, so every handler
// here has a citizen in CurrentUser; it must still check that the object
// asked for is that citizen's own.
func (s *Server) citizenRoutes(r chi.Router) {}
