// Package server is guestgate's composition root: it opens the store,
// builds the services, each given what it uses at construction, routes
// HTTP (tenant context first, R5) and runs the HTTP listener and the mail
// dispatcher together. It holds no operation of its own: the operator's
// live in internal/admin, the rest in the domain packages.
//
// Open builds a serving process. OpenBase opens the store alone for a
// one-shot admin command, which then builds only the operations it uses
// (Base.Directory opens nothing more; Base.Apps derives the provider's
// keys). cmd/guestgate and the end-to-end tests both start guestgate
// through it.
//
// Two services need each other through the OpenID provider: its core
// (apps, keys, authorization requests) is built first and the sign-in
// service completes requests through it; the endpoints are built last,
// over the sign-in service (access checks) and the pages (logout).
package server
