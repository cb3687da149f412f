// Package egress is guestgate's one way out to addresses a tenant admin
// names: partners' identity providers (SAML metadata, OpenID Connect
// discovery, signing keys, the token endpoint). Such a URL is chosen by
// whoever configures a federation, so without care it reaches what only
// the server can reach (server-side request forgery, issue 20 finding 4):
// loopback services, the cloud's metadata endpoint, the private network.
//
// The rule is a pure function (decide.go): a connection goes only to a
// public unicast address, unless the operator's allow-list names the
// address (a CIDR, an address, or host:port). NewClient applies it at dial
// time, to the address the name resolved to (net.Dialer.Control), so a
// name that resolves differently later (DNS rebinding) is caught at the
// connection itself; every redirect is re-checked (the same rules, https
// kept, a bounded count); the scheme is https unless the development
// switch allows plain http; answers are bounded in size and time.
//
//	client := egress.NewClient(egress.Options{})          // production: public https only
//	resp, err := client.Get("https://idp.partner.example/metadata")
//
// Errors (ErrRefused, ErrScheme, ErrTooLarge, ErrRedirect) say why for
// the operator's log; callers show tenants a generic message, never the
// error, so that neither an open port nor a byte of an answer leaks.
//
// The package imports nothing from guestgate. A Client is safe for
// concurrent use.
package egress
