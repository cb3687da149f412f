package admin

import (
	"context"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/roles"
)

// Invitations is the operator's invitations (guestgate invite, user
// reset-redemption). Their redeem links use the public URL given or stored
// by serve, never a guess: without one, both refuse (ErrPublicURLUnknown).
type Invitations struct {
	invitations    *invitation.Service
	publicURLKnown bool
}

// NewInvitations builds Invitations; publicURLKnown says the invitation
// service was built with the deployment's public URL.
func NewInvitations(s *invitation.Service, publicURLKnown bool) (Invitations, error) {
	if s == nil {
		return Invitations{}, errMissing("the invitation service")
	}
	return Invitations{invitations: s, publicURLKnown: publicURLKnown}, nil
}

// Invite invites a guest (guestgate invite), recorded as done by the CLI
// unless req names who.
func (i Invitations) Invite(ctx context.Context, t directory.Tenant, req invitation.Request) (invitation.Result, error) {
	if !i.publicURLKnown {
		return invitation.Result{}, ErrPublicURLUnknown
	}
	if req.By == (audit.Actor{}) {
		req.By = audit.CLI
	}
	return i.invitations.Invite(ctx, t, req)
}

// ResetRedemption resets a guest's redemption status and invites them
// again, recorded as done by the CLI (guestgate user reset-redemption).
func (i Invitations) ResetRedemption(ctx context.Context, t directory.Tenant, userID string, req invitation.Request) (invitation.Result, error) {
	if !i.publicURLKnown {
		return invitation.Result{}, ErrPublicURLUnknown
	}
	return i.invitations.ResetRedemption(ctx, t, userID, req, audit.CLI, roles.AsOperator())
}
