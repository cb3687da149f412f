// Package policy owns the tenant's email one-time passcode policy, Graph's
// emailAuthenticationMethodConfiguration (DESIGN section 4, R8–R11), and the
// one function that says whether passcodes are effectively enabled for
// guests: Effective (decide.go). Everything that needs to know calls it.
//
// It imports directory (for the tenant's cloud and preview flag) and nothing
// else of guestgate.
package policy
