// Package ratelimit bounds abuse beyond one address: how often one client
// address, one tenant, or one app may do something in a window, counted
// in the store so that every process of a deployment shares the counts.
//
// The rule is a pure function in decide.go (Decide): fixed windows opened
// by the first attempt, one counter per client address and one per tenant
// for each action. A client that is over its own limit waits until its
// window ends. A tenant over its limit refuses only clients that have
// themselves been counted in their current window: a client with a clean
// record still gets in, so an attacker spread over many addresses cannot
// keep a tenant's real guests out, and nobody is refused for longer than
// one window.
//
// A counter is kept in Shards rows of the store (Merge adds them up), so
// that concurrent sends of one tenant do not queue on one row's lock.
//
// Limiter (limiter.go) applies the rule against a Store: Check reads the
// counters before the work, Count adds one after it (joining the
// transaction in ctx, so that sends are counted in the transaction that
// sends). Callers count what already writes (sends) or only failures, so
// a successful sign-in writes nothing more.
//
// Two in-process bounds serve what is too frequent to count in the store
// (local.go, gate.go): Local applies the same rule in memory (the admin
// API's per-caller read limit: no commit per read, each process counting
// on its own), and Gate bounds how many requests of one key (a tenant)
// run at once, so one tenant's burst cannot take every pooled database
// connection.
//
// A client is counted by its network (httpx.Network): an IPv4 address, or
// an IPv6 /64, so that a host cannot become a clean client again by
// picking another address of its own network.
//
// The package imports clock, store and httpx (for the client network) only.
package ratelimit
