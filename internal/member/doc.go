// Package member owns a tenant's members (userType Member): their
// passwords (argon2id, never stored or logged in clear), the rules a new
// password must pass, and the throttle on wrong passwords per account and
// per client address. Members sign in with a password at their own
// tenant's sign-in page; a member of a managed tenant is also the
// "homeTenant" identity of a guest invited elsewhere (DESIGN section 3).
package member
