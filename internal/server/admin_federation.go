package server

import (
	"context"
	"errors"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
)

// ErrSecretRequired: a client secret is sealed with a key derived from the
// deployment secret, so an admin command that stores one needs it.
var ErrSecretRequired = errors.New("storing a client secret needs the deployment secret: set GUESTGATE_SECRET (the same as serve's)")

// ListFederations lists the tenant's federations (`guestgate idp list`).
func (s *Server) ListFederations(ctx context.Context, t directory.Tenant) ([]federation.Federation, error) {
	return s.federations.List(ctx, t.ID)
}

// AddFederation adds a federation, recorded as made by the CLI.
func (s *Server) AddFederation(ctx context.Context, t directory.Tenant, d federation.Draft) (federation.Federation, error) {
	if d.ClientSecret != "" && s.secretMissing {
		return federation.Federation{}, ErrSecretRequired
	}
	return s.federations.Create(ctx, t, d, audit.CLI)
}

// RemoveFederation removes a federation; its guests cannot sign in until
// their redemption is reset (R7).
func (s *Server) RemoveFederation(ctx context.Context, t directory.Tenant, id string) error {
	return s.federations.Delete(ctx, t, id, audit.CLI)
}
