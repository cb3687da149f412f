package invitation

import "time"

// Status is an invitation's Graph status.
type Status string

// Invitation statuses (Graph spelling).
const (
	StatusPendingAcceptance Status = "PendingAcceptance"
	StatusCompleted         Status = "Completed"
	StatusInProgress        Status = "InProgress"
	StatusError             Status = "Error"
)

// Invitation is a tenant's offer to an email address. Redeeming it is the
// guest's first sign-in; the identity provider is chosen then, not here (R6).
type Invitation struct {
	TenantID    string
	ID          string // UUID
	UserID      string // the guest user created or reused for the address
	Email       string
	DisplayName string
	RedirectURL string
	SendMessage bool
	// MessageLanguage, CustomMessage and CCRecipients come from Graph's invitedUserMessageInfo.
	MessageLanguage string
	CustomMessage   string
	CCRecipients    []string
	// CCNames are the display names of CCRecipients, index by index ("" when none was given).
	CCNames []string
	// Sponsors are the object ids of the invitedUserSponsors: users of the tenant.
	Sponsors  []string
	InvitedBy string // display name or address of the inviter, for Reply-To; may be empty
	// TicketHash is SHA-256 of the secret part of the redeem ticket.
	TicketHash []byte
	Status     Status
	CreatedAt  time.Time
}
