package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// oidcProvider is OpenID Connect federation (and the Google preset), as a
// relying party built with go-oidc and x/oauth2: discovery from the
// issuer, the authorization code flow with PKCE (S256), a nonce, and the
// ID token verified (signature by the discovered keys, issuer, audience,
// expiry). The address is taken only when email_verified is true, or the
// configuration says the provider is authoritative for its domains.
type oidcProvider struct {
	f        Federation
	secret   string
	redirect string
	// client is the egress client (every fetch: discovery, keys, token).
	client    *http.Client
	discovery *discoveryCache
	log       *slog.Logger
}

// OIDCRedirectURI is a tenant's redirect URI for OpenID Connect federation.
func OIDCRedirectURI(publicURL, tenantID string) string {
	return strings.TrimSuffix(publicURL, "/") + "/" + tenantID + "/federation/oidc/callback"
}

func (p *oidcProvider) discover(ctx context.Context) (*gooidc.Provider, oauth2.Config, error) {
	prov, err := p.discovery.provider(ctx, p.f)
	if err != nil {
		return nil, oauth2.Config{}, err
	}
	return prov, oauth2.Config{
		ClientID: p.f.Settings.ClientID, ClientSecret: p.secret, RedirectURL: p.redirect,
		Endpoint: prov.Endpoint(), Scopes: []string{gooidc.ScopeOpenID, "email", "profile"},
	}, nil
}

// AuthURL is the provider's authorization endpoint with code, PKCE and nonce.
func (p *oidcProvider) AuthURL(ctx context.Context, st State, relay string) (string, error) {
	_, cfg, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{gooidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)}
	if st.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", st.LoginHint))
	}
	return cfg.AuthCodeURL(relay, opts...), nil
}

// Finish exchanges the code and verifies the ID token.
func (p *oidcProvider) Finish(ctx context.Context, st State, r *http.Request) (Identity, error) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the provider answered " + e + ": " + q.Get("error_description")}
	}
	prov, cfg, err := p.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	cctx := gooidc.ClientContext(ctx, p.client)
	tok, err := cfg.Exchange(cctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		p.log.WarnContext(ctx, "federation: the code exchange failed", "tenant_id", p.f.TenantID, "federation_id", p.f.ID,
			"issuer", p.f.Issuer, "err", logText(err))
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the provider's token endpoint refused the code exchange" + oauthCode(re.ErrorCode)}
		}
		return Identity{}, unreachable("the code exchange with the provider's token endpoint failed")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the token response carries no id_token"}
	}
	idt, err := prov.Verifier(&gooidc.Config{ClientID: p.f.Settings.ClientID}).Verify(cctx, raw)
	if err != nil {
		return Identity{}, p.idTokenFailure(ctx, err)
	}
	if idt.Nonce != st.Nonce {
		return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the ID token's nonce does not match this sign-in"}
	}
	var c struct {
		Email    string `json:"email"`
		Verified any    `json:"email_verified"`
	}
	if err := idt.Claims(&c); err != nil {
		return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the ID token's claims cannot be read: " + err.Error(), Err: err}
	}
	if c.Email == "" {
		return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the ID token carries no email claim"}
	}
	verified := c.Verified == true || c.Verified == "true"
	if !verified && !p.f.Settings.Authoritative {
		return Identity{}, &PartnerError{Problem: ProblemUnverifiedEmail, Detail: fmt.Sprintf("the ID token says email_verified=%v for %s and the provider is not authoritative for the domain", c.Verified, c.Email)}
	}
	return Identity{Email: c.Email, Subject: idt.Subject}, nil
}

// idTokenFailure names the problem of a refused ID token. A failure to
// fetch the provider's keys says only that (the log has the cause).
func (p *oidcProvider) idTokenFailure(ctx context.Context, err error) error {
	var exp *gooidc.TokenExpiredError
	pr := ProblemSignature
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		pr = ProblemClock
	case strings.Contains(msg, "expected audience"):
		pr = ProblemAudience
	case strings.Contains(msg, "issued by a different provider"):
		pr = ProblemAudience
	case strings.Contains(msg, "fetching keys"):
		p.log.WarnContext(ctx, "federation: the provider's signing keys could not be fetched", "tenant_id", p.f.TenantID,
			"federation_id", p.f.ID, "issuer", p.f.Issuer, "err", logText(err))
		return unreachable("the provider's signing keys could not be fetched")
	}
	return &PartnerError{Problem: pr, Detail: "ID token refused: " + msg, Err: err}
}

// oauthCodes are RFC 6749's error codes of a token endpoint: an admin can
// act on them (invalid_client: the client secret), and they echo nothing
// else of the answer.
var oauthCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true,
	"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true,
}

func oauthCode(code string) string {
	if oauthCodes[code] {
		return " (" + code + ")"
	}
	return ""
}
