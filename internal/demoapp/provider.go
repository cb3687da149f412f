package demoapp

import (
	"context"
	"fmt"
	"sync"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// provider is what discovery yields: endpoints, the ID token verifier and
// the logout endpoint.
type provider struct {
	oauth      oauth2.Config
	verifier   *gooidc.IDTokenVerifier
	endSession string
}

// discovery fetches the provider's metadata on first use and keeps it once
// it succeeds; a failure is returned and tried again on the next request,
// so the app may start before the provider listens.
type discovery struct {
	cfg  Config
	base context.Context // carries the HTTP client; its cancellation is ignored

	mu sync.Mutex
	p  *provider
}

func newDiscovery(ctx context.Context, cfg Config) *discovery {
	return &discovery{cfg: cfg, base: gooidc.ClientContext(context.WithoutCancel(ctx), cfg.HTTPClient)}
}

// get returns the provider, discovering it if it is not known yet.
func (d *discovery) get(ctx context.Context) (*provider, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.p != nil {
		return d.p, nil
	}
	// The request's context bounds this attempt; the provider keeps d.base
	// (the HTTP client, no deadline) for its later key fetches.
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, d.cfg.HTTPClient), d.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", d.cfg.Issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discover %s: read metadata: %w", d.cfg.Issuer, err)
	}
	d.p = &provider{
		oauth: oauth2.Config{
			ClientID: d.cfg.ClientID, ClientSecret: d.cfg.ClientSecret, RedirectURL: d.cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{gooidc.ScopeOpenID, "profile", "email"},
		},
		verifier:   p.VerifierContext(d.base, &gooidc.Config{ClientID: d.cfg.ClientID}),
		endSession: meta.EndSession,
	}
	return d.p, nil
}
