// Package relyingparty proves guestgate's tokens with an unmodified,
// off-the-shelf relying party: oauth2-proxy
// (github.com/oauth2-proxy/oauth2-proxy/v7), its generic OpenID Connect
// provider, admitting only the members of one group by the ID token's
// groups claim (R16), as a deployment in front of an internal app would.
//
// It is a module of its own, as tests/graphsdk is, so oauth2-proxy and its
// dependencies are no dependency of guestgate and `go test ./...` at the
// repository's root does not build them. It imports nothing of guestgate:
// the test builds the guestgate binary from the repository (two
// directories up) and the oauth2-proxy binary from the module cache (the
// version this module's go.mod names as a tool), prepares a tenant, an app,
// a group and two guests with the CLI, runs `guestgate serve` on SQLite
// with a real SMTP server of the test's own, and drives the guests'
// sign-ins through oauth2-proxy over HTTP with a cookie jar, as a browser
// would. scripts/test runs it after the root module's tests.
package relyingparty
