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
// The rules on a PATCH body are pure (ApplyPatch). The package imports the
// directory and audit domains and declares what else it needs.
package lifecycle
