// Package roles owns directory roles (R10): Graph's built-in role names and
// template ids, which Graph permissions each role allows a signed-in member
// (the pure table in decide.go), and role assignments (Graph's
// unifiedRoleAssignment). The admin API and the console ask Allows before
// every change a member makes, with a delegated token or in the console.
//
// It also owns R14, who may act on an administrator: DecideChange (pure,
// in decide.go) says whether an Authority (the operator, a member with
// roles, an app with permissions) may make a guarded change (reset,
// re-address, enable, disable, delete, restore, purge, revoke sessions,
// set a password, remove a role) to a user holding given roles, and keeps
// a managed tenant's last enabled Global Administrator. CheckChange
// (guard.go) reads what the decision needs inside the caller's
// transaction; the lifecycle, invitation and member services call it, so
// every caller of theirs gets the rule.
//
// It imports directory, audit, store and clock, never graph, web or
// console.
package roles
