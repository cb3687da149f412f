// Package e2etest is the harness the end-to-end tests (internal/e2e and
// its ha and browser packages) share: a whole guestgate started in the
// test process (Start) or as its own OS process (ServeProcess), a
// cookie-keeping HTTP browser, a relying party signing guests in with
// go-oidc, a SAML partner, and the steps several journeys take. Only
// tests import it.
package e2etest
