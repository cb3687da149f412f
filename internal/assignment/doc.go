// Package assignment decides which users may reach which app: an app that
// requires assignment (Graph's appRoleAssignmentRequired on the service
// principal) admits only users assigned to it, directly or through a
// security group they are a direct member of (Entra assigns "all direct
// members of the group"; members of nested groups are not assigned);
// every app learns which of its roles a user holds (the roles claim) and,
// when it asked (groupMembershipClaims on the application), which security
// groups the user is in at any depth (the groups claim).
//
// The contract is in access.go, the pure rules in decide.go. Service keeps
// the apps' settings and their assignments. The sign-in service asks
// Reader once per sign-in, in the one finish path, and refuses an
// unassigned user with ErrNotAssigned (Entra's AADSTS50105); the token
// endpoints ask it once per token for the claims and again at refresh, so
// a removed assignment or a left group stops a refresh token at its next
// use.
//
// It imports directory, groups and store, never graph, web, console or oidc.
package assignment
