// Package inactivepolicy is a tenant's optional policy for inactive guests:
// a guest who has not signed in for Days days (or, invited, never
// redeemed within Days days: inactive.Decide's rule) is disabled, and
// WarnDays before that each of the guest's sponsors gets one warning mail
// per inactivity cycle. It is off unless an admin sets it.
//
// Decide (decide.go) is the pure rule: given the policy, the guest and
// when the sponsors were last warned, it says whether to warn, disable or
// do nothing now. The Runner (runner.go) is the I/O around it: any number
// of processes run it on a schedule, and a lease per tenant lets exactly
// one of them work on a tenant at a time; each warning (the outbox mail
// and its record) and each disable (through the lifecycle service, with a
// "Disable account" audit record initiated by the policy) is one
// transaction that first checks the lease is still this runner's.
//
// The policy acts with the authority of whoever set it (authority.go):
// the operator through the CLI, or a member through the console with the
// roles they hold at each disable, so R14 bounds the policy as it bounds
// its setter: a guest holding an admin role the setter may not manage is
// left to an administrator, neither warned nor disabled.
//
// It imports directory, inactive, audit, mail, lifecycle and roles; it
// must not import the store's engines or any HTTP package.
package inactivepolicy
