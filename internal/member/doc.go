// Package member owns a tenant's members (userType Member): creating them,
// their passwords (argon2id, never stored or logged in clear), the rules a
// new password must pass, the throttle on wrong passwords, and disabling
// and enabling accounts (Graph's accountEnabled). Members sign in with a password at their own tenant's
// sign-in page; a member of a managed tenant is also the "homeTenant"
// identity of a guest invited elsewhere (DESIGN section 3).
//
// The rules are pure functions in decide.go: CheckPassword (length, common
// passwords, the address in the password) and CheckThrottle, fixed windows
// per key counted per client network (httpx.Network: an IPv4 address, an
// IPv6 /64). After Limits.AccountFailures wrong passwords for one account
// from one client network, or Limits.AddressFailures from one network
// across accounts, that network waits until its window ends. Past
// Limits.AccountCeiling for one account or Limits.TenantFailures for the
// tenant (guesses spread over many networks), only networks with failures
// of their own wait (CheckCeiling). So nobody else's wrong passwords lock a
// member out (issue 20, finding 5), and no refusal lasts longer than one
// Limits.Window of the refused network's own.
// Service (service.go) applies them against the directory and this
// package's Store (store.go); CreateMember and SetAccountEnabled write their
// audit record in the same transaction as the change.
//
// Passwords are hashed with argon2id (password.go) and stored as PHC
// strings, whose parameters are read back when verifying, so they can be
// raised without invalidating existing hashes. Authenticate spends the same
// hashing time whether or not the address is a member, answers one error
// (ErrWrongPassword) for an unknown address, a guest, a member without a
// password and a wrong password, and says ErrDisabled only after the
// password was right.
//
// Enabling or disabling an admin is R14's to allow (roles.CheckChange, in
// SetAccountEnabled's transaction).
//
// The package imports directory, audit, roles, store, clock and httpx (for
// the client network); never graph, web or another sign-in method.
package member
