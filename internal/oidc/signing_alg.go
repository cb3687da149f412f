package oidc

import (
	"context"
	"fmt"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The library asks the storage for "the" signing key (storage.SigningKey)
// with only the request's context. An app picks its algorithm
// (App.IDTokenSignedResponseAlg), so each token endpoint puts the
// authenticated client's algorithm in the context before the library signs
// anything: every JWT of that response (the ID token, and an access token
// when it is a JWT) is signed with the app's algorithm. Without one, RS256.

type signingAlgKey struct{}

// withClientAlg returns ctx carrying the algorithm of the client's app.
func withClientAlg(ctx context.Context, c op.Client) context.Context {
	if a, ok := c.(interface{ idTokenAlg() string }); ok {
		return context.WithValue(ctx, signingAlgKey{}, a.idTokenAlg())
	}
	return ctx
}

// signingAlgOf returns the algorithm ctx asks for, RS256 by default.
func signingAlgOf(ctx context.Context) string {
	if alg, _ := ctx.Value(signingAlgKey{}).(string); alg != "" {
		return alg
	}
	return AlgRS256
}

// idTokenAlg is the algorithm of the app's tokens.
func (c *client) idTokenAlg() string { return c.app.IDTokenAlg() }

// RefreshToken signs the new ID token with the app's algorithm.
func (s *server) RefreshToken(ctx context.Context, r *op.ClientRequest[oidc.RefreshTokenRequest]) (*op.Response, error) {
	return s.LegacyServer.RefreshToken(withClientAlg(ctx, r.Client), r)
}

// ClientCredentialsExchange signs the app's JWT with the app's algorithm.
func (s *server) ClientCredentialsExchange(ctx context.Context, r *op.ClientRequest[oidc.ClientCredentialsRequest]) (*op.Response, error) {
	return s.LegacyServer.ClientCredentialsExchange(withClientAlg(ctx, r.Client), r)
}

// CheckIDTokenAlg checks a value for an app's id_token_signed_response_alg:
// AlgRS256 or AlgES256, else ErrInvalidApp.
func CheckIDTokenAlg(alg string) error {
	switch alg {
	case AlgRS256, AlgES256:
		return nil
	}
	return fmt.Errorf("%w: id_token_signed_response_alg must be %s or %s, not %q", ErrInvalidApp, AlgRS256, AlgES256, alg)
}
