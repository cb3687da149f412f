// Package invitation owns invitations and redemption: creating an
// invitation (and its guest user, reused when the address was invited
// before), the redeem ticket that carries the tenant, marking a guest
// Accepted, resetting a guest's redemption status (R7: same object id,
// back to PendingAcceptance, a new invitation, an audit record), and the
// identity-provider decision of DESIGN section 3, a pure function in
// decide.go (DecideIdP) that the sign-in service (internal/signin) applies
// at every sign-in and again inside the redeeming transaction (R1, R6–R9),
// and its application to a self-service sign-up (DecideSignUp, R13).
// Tenants nobody administers (directory.Tenant.Administered: unmanaged
// ones, the consumers directory) invite nobody (R15).
//
// Resetting the redemption of a user who holds an admin role needs a
// caller whose roles manage that role (R14, roles.CheckChange in the
// reset's transaction): the reset keeps the user's roles, so it would
// otherwise hand them to whoever controls the new address.
//
// It imports directory, audit, roles (R14's check), policy (the redemption
// configuration), mail (message type only), federation (its ErrRemoved only)
// and store; it does
// no network I/O: invitation mails go to the outbox in the same transaction.
package invitation
