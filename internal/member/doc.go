// Package member owns a tenant's members (userType Member): creating them,
// their passwords (argon2id, never stored or logged in clear), the rules a
// new password must pass, the throttle on wrong passwords per account and
// per client address, and disabling and enabling accounts (Graph's
// accountEnabled). Members sign in with a password at their own tenant's
// sign-in page; a member of a managed tenant is also the "homeTenant"
// identity of a guest invited elsewhere (DESIGN section 3).
//
// The rules are pure functions in decide.go: CheckPassword (length, common
// passwords, the address in the password) and CheckThrottle (a fixed window
// per key: after Limits.AccountFailures wrong passwords for one address, or
// Limits.AddressFailures from one client address, nothing is checked until
// the window ends, so a lockout never lasts longer than Limits.Window) and
// CheckTenantThrottle (past Limits.TenantFailures in a tenant, a spray,
// only client addresses with failures of their own wait).
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
// The package imports directory, audit, roles, store and clock; never
// graph, web or another sign-in method.
package member
