package server

import (
	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/roles"
)

// The domain services, each built from the Base and the services it
// needs, given as arguments: a service cannot be built before what it
// uses, and none is completed after construction.

// collab builds the collaboration settings (allowInvitesFrom, domains).
func (b *Base) collab() *collab.Service {
	return collab.NewService(collab.Deps{Store: b.db, Tx: b.db, Audit: b.db, Clock: b.clock})
}

// branding builds the company branding.
func (b *Base) branding() *branding.Service { return branding.NewService(b.db, b.clock) }

// invitations builds the invitation service; its mails carry the tenant's
// branding, and its domain rules are the collaboration settings.
func (b *Base) invitations(c *collab.Service, br *branding.Service) *invitation.Service {
	// Resetting a redemption ends every sign-in of the user, tokens
	// included, not only its sessions.
	endAccess := directory.AccessEnder{Store: b.db}
	compose := composer{cfg: b.cfg, clock: b.clock, log: b.log, branding: br}
	return invitation.NewService(
		invitation.Config{PublicURL: b.cfg.PublicURL, AllowHTTP: b.cfg.insecure()},
		invitation.Deps{Directory: b.db, Store: b.db, Outbox: b.db, Tx: b.db, Clock: b.clock, Compose: compose.invitation, Audit: b.db, Sessions: endAccess,
			Domains: c, Roles: b.db},
	)
}

// policies builds the email passcode and redemption policies.
func (b *Base) policies() *policy.Service {
	return policy.NewService(policy.Deps{Store: b.db, Audit: b.db, Tx: b.db, Clock: b.clock, AutoEnable: b.cfg.AutoEnableDate})
}

// members builds the member accounts; disabling one ends all its access.
func (b *Base) members() (*member.Service, error) {
	return member.NewService(member.Deps{Directory: b.db, Store: b.db, Tx: b.db, Clock: b.clock, Audit: b.db,
		Sessions: directory.AccessEnder{Store: b.db}, Roles: b.db, Limits: b.cfg.Members, Log: b.log})
}

// lifecycle builds user updates, deletion and restore.
func (b *Base) lifecycle() *lifecycle.Service {
	return lifecycle.NewService(lifecycle.Deps{Directory: b.db, Lifecycle: b.db, Access: b.db, Audit: b.db, Roles: b.db, Tx: b.db, Clock: b.clock, Log: b.log})
}

// roles builds the directory roles.
func (b *Base) roles() *roles.Service {
	return roles.NewService(roles.Deps{Store: b.db, Directory: b.db, Tx: b.db, Audit: b.db, Clock: b.clock, Guard: b.db})
}

// groups builds the security groups and their members.
func (b *Base) groups() *groups.Service {
	return groups.NewService(groups.Deps{Store: b.db, Directory: b.db, Tx: b.db, Audit: b.db, Clock: b.clock})
}

// assignments builds the apps' assignment settings and app role
// assignments; it is also the assignment.Reader of the sign-in path and
// the token endpoints.
func (b *Base) assignments() *assignment.Service {
	return assignment.NewService(assignment.Deps{Store: b.db, Directory: b.db, Groups: b.db, Tx: b.db, Audit: b.db, Clock: b.clock})
}

// federations builds the partners' identity providers.
func (b *Base) federations() (*federation.Service, error) {
	egress, err := b.cfg.federationEgress()
	if err != nil {
		return nil, err
	}
	return federation.NewService(
		federation.Config{PublicURL: b.cfg.PublicURL, Key: b.cfg.subkey("federation"), GoogleIssuer: b.cfg.GoogleIssuer, Egress: egress},
		federation.Deps{Store: b.db, Directory: b.db, Audit: b.db, Tx: b.db, Clock: b.clock, Log: b.log})
}

// oidcCore builds the OpenID provider's core: apps, keys and the
// authorization requests the sign-in pages complete. Its endpoints are
// built later, over the sign-in service and the pages (oidcProvider).
func (b *Base) oidcCore() (*oidc.Core, error) {
	keys := b.cfg.subkeys("oidc")
	var key [32]byte
	copy(key[:], keys[0])
	var old [][32]byte
	for _, k := range keys[1:] {
		var o [32]byte
		copy(o[:], k)
		old = append(old, o)
	}
	return oidc.NewCore(
		oidc.Config{PublicURL: b.cfg.PublicURL, Insecure: b.cfg.insecure(), CryptoKey: key, OldCryptoKeys: old,
			AdminOnly: b.cfg.adminOnly, RefreshTokenLifetime: b.cfg.SessionLifetime},
		oidc.Deps{Apps: b.db, Keys: b.db, AuthRequests: b.db, Directory: b.db, Salts: b.db, Tx: b.db, Clock: b.clock, Log: b.log,
			Assignments: b.assignments()},
	)
}
