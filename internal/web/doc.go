// Package web serves the pages people see: redeeming an invitation with an
// email passcode (R2, R3, R6), signing in to an app (the OpenID Connect login
// hand-off), the tenant-context error of R5, "My Apps", and the dev mailbox.
//
// Pages are server-rendered html/template in English and Japanese (chosen
// from Accept-Language), need no JavaScript, and every form carries a CSRF
// token. Handlers are thin: they parse the form, call one service, and
// render; errors.go is the only place that turns errors into pages.
package web
