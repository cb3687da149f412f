// Package ha holds guestgate's end-to-end tests of high availability and
// failure, one file per journey: guestgate serve run as OS processes (the
// static binary deploy/Containerfile builds) killed or restarted under a
// burst of invitations, several behind one public URL; a two-node Patroni
// cluster through PgBouncer and a failover; the database or the SMTP
// server down, briefly or for longer than a mail's lease; the secret
// rotated across a restart. Most of their time is spent waiting on
// processes, leases and timeouts, so they run beside the other end-to-end
// packages (see internal/e2e). The shared harness is
// internal/e2e/e2etest.
package ha
