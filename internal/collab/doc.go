// Package collab owns a tenant's external collaboration settings: who may
// invite guests (Graph's authorizationPolicy.allowInvitesFrom), the
// collaboration restrictions (a list of domains invitations may go to, or
// may not go to) and the guest access level (guestUserRoleId). The rules
// are pure functions in decide.go; Service reads and changes the settings
// with an audit record. The invitation service asks CheckDomain before
// every invitation, so the API, the CLI and the console refuse a denied
// domain with the same message.
//
// It imports directory, audit and roles, never graph, web or console.
package collab
