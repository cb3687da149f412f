// Package web serves the pages people see: redeeming an invitation (R2, R6),
// signing in to an app with a passcode (R3), a member's password or a home
// tenant, Review permissions on a first redemption, the tenant-context
// error of R5, "My Apps", and the dev mailbox.
//
// Pages are server-rendered html/template in English and Japanese (chosen
// from Accept-Language), need no JavaScript, and every form carries a CSRF
// token. Handlers are thin: they parse the form, call the sign-in service
// (internal/signin), set the cookie it asks for, and render or redirect;
// errors.go is the only place that turns errors into pages. Sealed sign-in
// state rides in HttpOnly cookies or is bound to the browser's CSRF cookie.
package web
