// Package ha holds guestgate's end-to-end tests of high availability and
// failure, one file per journey: guestgate serve run as OS processes
// (the binary deploy/Containerfile builds) killed or restarted mid-burst,
// several behind one public URL, on a two-node Patroni cluster through
// PgBouncer and a failover; its database or SMTP server down; a secret
// rotated; a request replayed on another process. Most of their time is
// spent waiting on processes, so they run beside the other end-to-end
// packages (see internal/e2e).
package ha
