// Package roles owns directory roles (R10): Graph's built-in role names and
// template ids, which Graph permissions each role allows a signed-in member
// (the pure table in decide.go), and role assignments (Graph's
// unifiedRoleAssignment). The admin API and the console ask Allows before
// every change a member makes, with a delegated token or in the console.
//
// It imports directory and audit, never graph, web or console.
package roles
