package server

import (
	"errors"

	"github.com/guestgate/guestgate/internal/admin"
)

// The operator's operations (internal/admin), each built over only the
// services it uses: a command names the one it needs (cmd/guestgate).

// Directory builds the tenants and the reading of users: the store alone.
func (b *Base) Directory() (admin.Directory, error) {
	return admin.NewDirectory(b.db, b.cfg.DomainSuffix, b.clock)
}

// Users builds the changes to users: lifecycle and members.
func (b *Base) Users() (admin.Users, error) {
	d, err := b.Directory()
	if err != nil {
		return admin.Users{}, err
	}
	m, err := b.members()
	if err != nil {
		return admin.Users{}, err
	}
	return admin.NewUsers(d, b.lifecycle(), m)
}

// Roles builds the directory roles and the founding of a tenant.
func (b *Base) Roles() (admin.Roles, error) {
	d, err := b.Directory()
	if err != nil {
		return admin.Roles{}, err
	}
	m, err := b.members()
	if err != nil {
		return admin.Roles{}, err
	}
	return admin.NewRoles(d, b.roles(), m)
}

// Groups builds the security groups and their members.
func (b *Base) Groups() (admin.Groups, error) {
	d, err := b.Directory()
	if err != nil {
		return admin.Groups{}, err
	}
	return admin.NewGroups(d, b.groups())
}

// Assignments builds app assignment: settings, app roles, assignments.
func (b *Base) Assignments() (admin.Assignments, error) {
	g, err := b.Groups()
	if err != nil {
		return admin.Assignments{}, err
	}
	return admin.NewAssignments(g, b.assignments())
}

// Apps builds apps, client secrets and keys: the provider's core (which
// derives its keys), not its endpoints.
func (b *Base) Apps() (admin.Apps, error) {
	c, err := b.oidcCore()
	if err != nil {
		return admin.Apps{}, err
	}
	return admin.NewApps(c)
}

// Invitations builds invitations and redemption resets.
func (b *Base) Invitations() (admin.Invitations, error) {
	return admin.NewInvitations(b.invitations(b.collab(), b.branding()), b.publicURLKnown)
}

// Policies builds the email passcode and redemption policies.
func (b *Base) Policies() (admin.Policies, error) { return admin.NewPolicies(b.policies()) }

// Federations builds the partners' identity providers.
func (b *Base) Federations() (admin.Federations, error) {
	f, err := b.federations()
	if err != nil {
		return admin.Federations{}, err
	}
	return admin.NewFederations(f, b.secretKnown)
}

// Branding builds the company branding.
func (b *Base) Branding() (admin.Branding, error) {
	return admin.NewBranding(b.branding(), b.cfg.PublicURL)
}

// Operator builds every operation at once (the demo, tests).
func (b *Base) Operator() (*admin.Operator, error) {
	d, errD := b.Directory()
	u, errU := b.Users()
	r, errR := b.Roles()
	a, errA := b.Apps()
	i, errI := b.Invitations()
	p, errP := b.Policies()
	f, errF := b.Federations()
	br, errB := b.Branding()
	if err := errors.Join(errD, errU, errR, errA, errI, errP, errF, errB); err != nil {
		return nil, err
	}
	return &admin.Operator{Directory: d, Users: u, Roles: r, Apps: a, Invitations: i, Policies: p, Federations: f, Branding: br}, nil
}
