package server

import (
	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/console"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
)

// buildConsole builds the admin console (/{tenant}/admin/…) over the
// domain services; it shares the sign-in service and its sessions.
func buildConsole(b *Base, s *services, bulk *bulkinvite.Service, signins *signin.Service, sessions *session.Service) (*console.Handler, error) {
	cfg := b.cfg
	return console.New(
		console.Config{PublicURL: cfg.PublicURL, SecureCookies: !cfg.insecure(), CSRFKey: cfg.subkey("console"), OldCSRFKeys: cfg.subkeys("console")[1:]},
		console.Deps{
			Directory: b.db, SignIn: signins, Sessions: sessions, Roles: s.roles, Collab: s.collab, Policies: s.policies,
			Invitations: s.invitations, Lifecycle: s.lifecycle, Bulk: bulk, Federations: s.federations, Groups: s.groups, Assignments: s.assignments, Audit: b.db, SignIns: b.db,
			Stats: b.db, Inactive: b.db, InactivePolicy: b.inactivePolicySettings(), Limiter: s.limiter, WriteLimit: cfg.Abuse.GraphWrites, Clock: b.clock, Log: b.log,
		})
}
