// Package e2e holds guestgate's end-to-end tests, one file per journey. Each
// starts a whole guestgate (server.Open + Run) on SQLite and on PostgreSQL,
// with a real SMTP server (mailtest) as its mail peer, and drives it over
// HTTP the way a browser, an admin script or an app would.
package e2e
