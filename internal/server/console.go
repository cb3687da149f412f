package server

import (
	"github.com/guestgate/guestgate/internal/console"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
)

// buildConsole builds the admin console (/{tenant}/admin/…) over the
// domain services; it shares the sign-in service and its sessions.
func (s *Server) buildConsole(signins *signin.Service, sessions *session.Service) error {
	var err error
	s.console, err = console.New(
		console.Config{PublicURL: s.cfg.PublicURL, SecureCookies: !s.cfg.insecure(), CSRFKey: s.cfg.subkey("console"), OldCSRFKeys: s.cfg.subkeys("console")[1:], AutoEnableDate: s.policies.AutoEnableDate()},
		console.Deps{
			Directory: s.db, SignIn: signins, Sessions: sessions, Roles: s.roles, Collab: s.collab, Policies: s.policies,
			Invitations: s.invitations, Lifecycle: s.lifecycle, Bulk: s.bulk, Federations: s.federations, Audit: s.db, SignIns: s.db,
			Stats: s.db, Limiter: s.limiter, WriteLimit: s.cfg.Abuse.GraphWrites, Clock: s.clock, Log: s.log,
		})
	return err
}
