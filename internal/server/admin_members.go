package server

import (
	"context"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
)

// CreateMember creates a member with a password, recorded in the audit log
// as done by the CLI (guestgate user create --member).
func (s *Server) CreateMember(ctx context.Context, t directory.Tenant, req member.NewMember) (directory.User, error) {
	return s.members.CreateMember(ctx, t, req, audit.CLI)
}

// SetAccountEnabled disables or enables a user's account, recorded in the
// audit log as done by the CLI (guestgate user disable|enable).
func (s *Server) SetAccountEnabled(ctx context.Context, t directory.Tenant, userID string, enabled bool) error {
	return s.members.SetAccountEnabled(ctx, t, userID, enabled, audit.CLI, roles.AsOperator())
}

// GetUser returns a user of t (the CLI prints it after a change).
func (s *Server) GetUser(ctx context.Context, t directory.Tenant, userID string) (directory.User, error) {
	return s.db.GetUser(ctx, t.ID, userID)
}
