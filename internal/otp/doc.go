// Package otp owns email one-time passcodes: issuing them (random, from
// crypto/rand), keeping only a keyed hash, checking a submitted code, and the
// limits of R3: valid 30 minutes, single use, a new code voids older ones,
// at most 5 wrong entries per code, at most one send per address per 60 s
// and 10 per hour.
//
// The rules are pure functions in decide.go (CheckSend, Check) taking the
// stored state and "now". Service (service.go) applies them against a Store,
// with every write conditional so that of concurrent submissions of one code
// exactly one wins.
//
// Codes are never logged and never returned except to the mail callback of
// Issue. The package imports no other guestgate domain.
package otp
