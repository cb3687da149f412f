// Package admin holds the operator's operations: what `guestgate` admin
// commands (and the demo) do over the domain services, each recorded in
// the audit log as done by the CLI and acting with the operator's
// authority (roles.AsOperator). The Graph API and the console call the
// same domain services directly, with the caller's identity instead.
//
// One type per area (Directory, Users, Apps, Invitations, Policies, Roles,
// Groups, Assignments, Federations, Branding, InactiveGuests) takes only the services its operations need, so
// a command builds only what it uses; Operator embeds them all for callers
// that want every operation (the demo, tests). Each constructor refuses a
// missing dependency, so a wiring mistake fails at start, never at use.
//
// admin imports domain packages only; internal/server builds its types.
package admin
