// Package console serves the admin console under /{tenant}/admin/: the
// pages an administrator uses every day (Overview, Users, Invite, External
// Identities, External collaboration settings, Logs), in English and
// Japanese, server-rendered, with CSRF on every form and no JavaScript
// needed.
//
// Members sign in with their password through the sign-in service (its
// member password route and its session, the same cookie as the tenant's
// other pages). What a member may change is decided by roles.Allows over
// the member's directory roles (R10) and, for invitations, by the tenant's
// allowInvitesFrom (collab): a member without a role reads what makes
// sense and gets a 403 page on every change; a guest never sees the
// console. Every change is a POST listed, with what it needs, in one
// table (changes, routes.go), which the wrapper around every change
// enforces before its handler runs; pages are GET only.
//
// Pages fit a phone with CSS alone: below 768 px the navigation folds
// into a details menu and wide tables scroll inside their card. The
// Overview's charts are SVG drawn on the server (charts.go), each beside
// its numbers; recorded English (roles, sign-in failure reasons and
// methods) is shown in the page's language (names.go, reasons.go).
//
// It calls the domain services (invitation, lifecycle, policy, collab,
// roles, signin) and never the admin API or the web package.
package console
