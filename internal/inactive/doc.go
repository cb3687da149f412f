// Package inactive finds the guests of a tenant who stopped signing in:
// a guest is inactive after N days when their last successful sign-in
// (Graph's signInActivity/lastSuccessfulSignInDateTime) is older than N
// days or, never signed in, their invitation is. Decide is the pure rule;
// Store is the bounded, tenant-scoped listing the store implements;
// acting on the guests (disable, delete) is the lifecycle service's, so
// R14 and the audit log apply as to any other change.
//
// It imports directory only; it must not import the store, the lifecycle
// service or any HTTP package.
package inactive
