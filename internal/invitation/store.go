package invitation

import (
	"context"
	"time"
)

// Store is what invitations need from persistence, beyond the directory and
// the outbox. All look-ups are scoped by tenant.
type Store interface {
	CreateInvitation(ctx context.Context, inv Invitation) error
	GetInvitation(ctx context.Context, tenantID, id string) (Invitation, error)
	// GetInvitationByTicket finds the invitation whose TicketHash is hash,
	// unless a newer invitation superseded it.
	GetInvitationByTicket(ctx context.Context, tenantID string, hash []byte) (Invitation, error)
	// SupersedeUserInvitations makes the user's invitations' redeem links
	// stop resolving (a newer invitation replaces them).
	SupersedeUserInvitations(ctx context.Context, tenantID, userID string, at time.Time) error
	// SetInvitationStatus sets the status of one invitation.
	SetInvitationStatus(ctx context.Context, tenantID, id string, status Status) error
	// CompleteUserInvitations marks every pending invitation of the user Completed.
	CompleteUserInvitations(ctx context.Context, tenantID, userID string) error
}
