// Package demoapp is a tiny relying party for the demo: a "shared resource"
// of the demo tenant, protected by OpenID Connect, that shows the signed-in
// guest's claims. It is built only on go-oidc and x/oauth2, as an ordinary
// Go app would be, so it also shows that guestgate needs nothing special
// from its clients.
//
//	h, err := demoapp.New(ctx, demoapp.Config{
//		Issuer:      "http://127.0.0.1:8080/{tenantId}/v2.0",
//		ClientID:    appID, ClientSecret: secret,
//		RedirectURL: "http://127.0.0.1:8081/callback",
//		PostLogoutURL: "http://127.0.0.1:8081/",
//		TenantName:  "Fabrikam",
//	})
//	http.ListenAndServe("127.0.0.1:8081", h)
//
// Routes: GET / shows the claims, or starts a sign-in (authorization code
// with PKCE S256; state, nonce and verifier in a short-lived HttpOnly
// cookie); GET on the redirect URL's path (/callback) exchanges the code and
// verifies the ID token (issuer, audience, nonce); GET /signout ends the app
// session and signs out at the provider (RP-initiated logout).
//
// Discovery is lazy and retried on failure, so the app may start before the
// provider listens. Sessions live in memory and are lost on restart; that
// is fine for a demo and nothing else. The handler is safe for concurrent
// use. It must not import guestgate's internals: it sees guestgate only
// over HTTP.
package demoapp
