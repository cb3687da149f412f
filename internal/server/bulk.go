package server

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

// buildBulk builds the console's bulk invitations: rows count against
// their creator's share of Graph's write limit, a tenant has at most
// cfg.BulkInviteQueue unfinished jobs, and a job stops inviting once its
// creator may no longer invite (R10).
func buildBulk(b *Base, s *services) *bulkinvite.Service {
	return bulkinvite.NewService(bulkinvite.Deps{
		Store: b.db, Tenants: b.db, Members: b.db, Invitations: s.invitations, Tx: b.db,
		MayInvite: inviters{roles: s.roles, collab: s.collab}.mayInvite, Limiter: s.limiter, WriteLimit: b.cfg.Abuse.GraphWrites, MaxQueued: b.cfg.BulkInviteQueue,
		Clock: b.clock, Log: b.log,
	})
}

// inviters applies the tenant's allowInvitesFrom to a member and their roles.
type inviters struct {
	roles  *roles.Service
	collab *collab.Service
}

// mayInvite applies the tenant's allowInvitesFrom to member u and their
// roles, as the console does for the signed-in member (R10).
func (i inviters) mayInvite(ctx context.Context, t directory.Tenant, u directory.User) (bool, error) {
	rs, err := i.roles.RolesOf(ctx, t.ID, u.ID)
	if err != nil {
		return false, fmt.Errorf("roles of %s: %w", u.ID, err)
	}
	st, err := i.collab.Get(ctx, t)
	if err != nil {
		return false, fmt.Errorf("collaboration settings: %w", err)
	}
	return st.MayInvite(rs, u.UserType), nil
}
