// Package lifecycle changes, deletes, restores and purges a tenant's users,
// and ends their access: Graph's PATCH and DELETE /users/{id},
// /directory/deletedItems and revokeSignInSessions.
//
// Ending access is one mechanism (directory.EndAccess): the user's
// TokensValidAfter instant moves to now, its sessions are revoked and its
// refresh tokens deleted, in the transaction of the change. Sign-ins check
// the instant where they already read the user (signin.ContinueSession,
// the OpenID provider's code exchange, refresh grant and userinfo), so an
// access token, which is stateless, dies with the rest, in every process.
// Disabling, deleting and revokeSignInSessions all end access.
//
// A deleted user is moved to the deleted users (directory.LifecycleStore),
// so it no longer signs in, its redeem links and passcodes stop working,
// and its address is free; it can be restored with the same id for
// directory.PurgeAfter (30 days), after which Run purges it. Every change
// is written to the audit log under Graph's activity names.
//
// R14: changing the sign-in address, enabling, disabling, deleting,
// restoring, purging or revoking the sessions of a user who holds an admin
// role needs a caller whose roles manage those roles, and the last enabled
// Global Administrator of a managed tenant is never disabled or deleted
// (roles.DecideChange). Every such method takes the caller's
// roles.Authority and runs roles.CheckChange in its transaction, so the
// admin API, the console and the CLI (roles.AsOperator, which may do
// everything) get the same rule.
//
// The rules on a PATCH body are pure (ApplyPatch). The package imports the
// directory, audit and roles domains and declares what else it needs.
package lifecycle
