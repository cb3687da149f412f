package admin

import (
	"context"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
)

// Federations is the operator's partner identity providers (guestgate idp …).
type Federations struct {
	federations *federation.Service
	// secretKnown: the service seals client secrets with a key derived from
	// the deployment secret (an admin process may run without it).
	secretKnown bool
}

// NewFederations builds Federations; secretKnown says the service was
// built with the deployment secret.
func NewFederations(s *federation.Service, secretKnown bool) (Federations, error) {
	if s == nil {
		return Federations{}, errMissing("the federation service")
	}
	return Federations{federations: s, secretKnown: secretKnown}, nil
}

// ListFederations lists the tenant's federations (`guestgate idp list`).
func (f Federations) ListFederations(ctx context.Context, t directory.Tenant) ([]federation.Federation, error) {
	return f.federations.List(ctx, t.ID)
}

// AddFederation adds a federation, recorded as made by the CLI.
func (f Federations) AddFederation(ctx context.Context, t directory.Tenant, d federation.Draft) (federation.Federation, error) {
	if d.ClientSecret != "" && !f.secretKnown {
		return federation.Federation{}, ErrSecretRequired
	}
	return f.federations.Create(ctx, t, d, audit.CLI)
}

// RemoveFederation removes a federation; its guests cannot sign in until
// their redemption is reset (R7).
func (f Federations) RemoveFederation(ctx context.Context, t directory.Tenant, id string) error {
	return f.federations.Delete(ctx, t, id, audit.CLI)
}
