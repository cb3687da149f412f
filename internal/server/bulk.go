package server

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/console"
	"github.com/guestgate/guestgate/internal/directory"
)

// buildBulk builds the console's bulk invitations: rows count against
// their creator's share of Graph's write limit, a tenant has at most
// cfg.BulkInviteQueue unfinished jobs, and a job stops inviting once its
// creator may no longer invite (R10). It needs the invitation, roles and
// collaboration services.
func (s *Server) buildBulk() *bulkinvite.Service {
	return bulkinvite.NewService(bulkinvite.Deps{
		Store: s.db, Tenants: s.db, Members: s.db, Invitations: s.invitations, Tx: s.db,
		MayInvite: s.memberMayInvite, Limiter: s.limiter, WriteLimit: s.cfg.Abuse.GraphWrites, MaxQueued: s.cfg.BulkInviteQueue,
		Describe: console.DescribeInvitationError, Clock: s.clock, Log: s.log,
	})
}

// memberMayInvite applies the tenant's allowInvitesFrom to member u and
// their roles, as the console does for the signed-in member (R10).
func (s *Server) memberMayInvite(ctx context.Context, t directory.Tenant, u directory.User) (bool, error) {
	rs, err := s.roles.RolesOf(ctx, t.ID, u.ID)
	if err != nil {
		return false, fmt.Errorf("roles of %s: %w", u.ID, err)
	}
	st, err := s.collab.Get(ctx, t)
	if err != nil {
		return false, fmt.Errorf("collaboration settings: %w", err)
	}
	return st.MayInvite(rs, u.UserType), nil
}
