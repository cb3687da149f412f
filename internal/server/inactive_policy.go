package server

import (
	"cmp"

	"github.com/guestgate/guestgate/internal/inactivepolicy"
)

// buildInactivePolicy builds the runner of the tenants' inactive-guest
// policies: every process runs it, and the per-tenant lease lets one work
// on a tenant at a time. interval (Options.InactivePolicyInterval) replaces
// the hourly schedule when set.
func buildInactivePolicy(b *Base, s *services, opts Options) (*inactivepolicy.Runner, error) {
	return inactivepolicy.NewRunner(inactivepolicy.Deps{
		Store: b.db, Directory: b.db, Roles: b.db, Users: s.lifecycle, Audit: b.db, Outbox: b.db, Tx: b.db,
		Interval: cmp.Or(opts.InactivePolicyInterval, inactivepolicy.DefaultInterval), DeploymentName: b.cfg.DeploymentName,
		Clock: b.clock, Log: b.log,
	})
}
