// Package otp owns email one-time passcodes: issuing them (random, from
// crypto/rand), keeping only a keyed hash, checking a submitted code, and the
// limits of R3: valid 30 minutes, single use, a new code voids older ones,
// at most 5 wrong entries per code, at most one send per 60 s and 10 per
// hour.
//
// Nobody else's actions lock a guest out (issue 20, finding 5). A code
// belongs to the requester that asked for it (Requester, taken from the
// request in ctx): it is bound to the requesting browser, which alone may
// enter it, so another browser's wrong entries never void it and its new
// codes void only its own older ones. R3's send limits count per address
// and client network (httpx.Network: an IPv4 address, an IPv6 /64), so
// another client's sends never refuse a guest; the address's own budget
// (Limits.AddressPerHour across all clients) bounds its mail, and past it
// only a client network without a send of its own in its window may send.
// No refusal outlasts one hour window of the refused client's own.
//
// The rules are pure functions in decide.go (CheckSend, CheckCounted,
// Check, StateOf) taking the stored state and "now". Service (service.go)
// applies them against a Store, with every write conditional so that of
// concurrent submissions of one code exactly one wins, and of concurrent
// sends from one client network exactly one is sent.
//
// Codes are never logged and never returned except to the mail callback of
// Issue. The package imports no other guestgate domain (httpx only, for
// the request's client).
package otp
