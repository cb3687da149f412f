package groups

import "time"

// Group is a security group of a tenant.
type Group struct {
	TenantID     string
	ID           string
	DisplayName  string
	Description  string
	MailNickname string
	CreatedAt    time.Time
	// DeletedAt is zero while the group is live.
	DeletedAt time.Time
}

// Deleted reports whether the group is soft-deleted.
func (g Group) Deleted() bool { return !g.DeletedAt.IsZero() }

// Member types: what a member reference points at.
const (
	MemberUser  = "user"
	MemberGroup = "group"
)

// Member is one direct membership: MemberID (a user or a group, by
// MemberType) is in GroupID.
type Member struct {
	TenantID   string
	GroupID    string
	MemberID   string
	MemberType string
	CreatedAt  time.Time
}
