package oidc

import (
	"context"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// appTokenRequest checks a client-credentials request's scope, which must
// be exactly one resource's ".default": https://graph.microsoft.com/.default
// (guestgate's admin API under Graph's name) or {PublicURL}/.default. The
// token's audience is that resource and its roles the app's permissions.
func (p *Provider) appTokenRequest(ctx context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	if len(scopes) != 1 {
		return nil, oidc.ErrInvalidScope().WithDescription(
			"The scope must be exactly one resource's .default, e.g. %s/.default.", graphResource)
	}
	resource, ok := p.resourceOf(scopes[0])
	if !ok {
		return nil, oidc.ErrInvalidScope().WithDescription(
			"The scope must be %s/.default or %s/.default.", graphResource, p.cfg.PublicURL)
	}
	c, err := p.getClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return &appTokenRequest{app: c.app, resource: resource, scope: scopes[0]}, nil
}

// resourceOf returns the resource named by a ".default" scope, if guestgate serves it.
func (p *Provider) resourceOf(scope string) (string, bool) {
	resource, ok := strings.CutSuffix(scope, "/.default")
	if !ok {
		return "", false
	}
	resource = strings.TrimRight(resource, "/")
	switch resource {
	case graphResource, p.cfg.PublicURL:
		return resource, true
	}
	return "", false
}

// acceptedAudience reports whether an access token's audience is one of
// guestgate's admin API resources.
func (p *Provider) acceptedAudience(aud string) bool {
	return aud == graphResource || aud == p.cfg.PublicURL
}
