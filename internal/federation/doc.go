// Package federation owns a tenant's upstream identity providers for
// guests (DESIGN section 1, "federation"; section 3 step 1,
// externalFederation and socialIdentityProviders): SAML 2.0 direct
// federation by domain, OpenID Connect federation by domain, and Google
// for gmail.com and googlemail.com as a preset of OpenID Connect.
//
// It keeps the configurations (Service, with audit records), applies the
// product's rules to them as pure functions (rules.go: a federation only
// for domains no managed tenant of the deployment verifies; one
// federation per domain and issuer; WS-Fed refused; secrets write-only),
// and runs the protocols as Providers, in the manner of Dex's connectors:
// a small Provider interface (AuthURL, Finish) and optional capabilities
// found by type assertion (MetadataProvider for the SAML service-provider
// metadata).
//
// Protocol work uses maintained libraries: github.com/crewjam/saml for
// SAML (signatures, audience, recipient, validity window, InResponseTo;
// the one-time use of assertion ids is kept in the store) and
// github.com/coreos/go-oidc with golang.org/x/oauth2 for OpenID Connect
// (discovery, authorization code with PKCE, nonce). Failures a partner
// causes are *PartnerError with a Problem the pages explain and a detail
// for the sign-in log.
//
// Providers do network I/O (metadata, discovery, keys, code exchange),
// all through one internal/egress client (fetch.go: https, public
// addresses unless allow-listed, checked at dial time; size and time
// limits; discovery results kept); a failure shows tenants the step, the
// log the cause. Callers never hold a transaction across them. The
// package imports directory, audit, store and egress; never signin, web
// or graph.
package federation
