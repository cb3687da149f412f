// Package assignment decides which users may reach which app: an app that
// requires assignment (Graph's appRoleAssignmentRequired on the service
// principal) admits only users assigned to it, directly or through a
// security group at any depth; every app learns which of its roles a user
// holds (the roles claim) and, when it asked (groupMembershipClaims on the
// application), which security groups the user is in (the groups claim).
//
// The pure rules are in access.go. The sign-in service asks Reader once
// per sign-in, in the one finish path, and refuses an unassigned user with
// ErrNotAssigned (Entra's AADSTS50105); the token endpoints ask it once per
// token for the claims and again at refresh, so a removed assignment or a
// left group stops a refresh token at its next use.
//
// It imports directory and store, never graph, web, console or oidc.
package assignment
