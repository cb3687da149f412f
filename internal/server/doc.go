// Package server assembles guestgate from its domains: it opens the store,
// builds the services, routes HTTP (tenant context first, R5) and runs the
// HTTP listener and the mail dispatcher together. cmd/guestgate and the
// end-to-end tests both start guestgate through it.
package server
