package server

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// services are the domain services a serving process shares between the
// sign-in pages, the console and the admin API, built once by newServices.
type services struct {
	cfg         Config
	db          *sqlstore.DB
	clock       clock.Clock
	log         *slog.Logger
	metrics     *metrics.Metrics
	collab      *collab.Service
	branding    *branding.Service
	invitations *invitation.Service
	policies    *policy.Service
	members     *member.Service
	lifecycle   *lifecycle.Service
	roles       *roles.Service
	groups      *groups.Service
	assignments *assignment.Service
	federations *federation.Service
	limiter     *ratelimit.Limiter
	// oidc is the provider's core: the sign-in service completes
	// authorization requests through it; the endpoints come later.
	oidc *oidc.Core
	mail composer
}

// newServices builds the domain services over b.
func newServices(b *Base, m *metrics.Metrics) (*services, error) {
	members, err := b.members()
	if err != nil {
		return nil, err
	}
	core, err := b.oidcCore()
	if err != nil {
		return nil, err
	}
	if b.cfg.FederationAllowHTTP {
		b.log.Info("partners' identity providers may be reached over plain http (--federation-allow-http): for development only")
	}
	federations, err := b.federations()
	if err != nil {
		return nil, err
	}
	c, br := b.collab(), b.branding()
	return &services{
		cfg: b.cfg, db: b.db, clock: b.clock, log: b.log, metrics: m,
		collab: c, branding: br, invitations: b.invitations(c, br), policies: b.policies(), members: members,
		lifecycle: b.lifecycle(), roles: b.roles(), groups: b.groups(), assignments: b.assignments(), federations: federations, limiter: ratelimit.New(b.db, b.clock),
		oidc: core, mail: composer{cfg: b.cfg, clock: b.clock, log: b.log, branding: br},
	}, nil
}

// composePasscode renders a passcode mail.
func (s *services) composePasscode(ctx context.Context, t directory.Tenant, address, code string, validity time.Duration, lang string) (mail.Message, error) {
	return s.mail.passcode(ctx, t, address, code, validity, lang)
}

// newSignIn builds the sign-in service over the domain services; it
// completes authorization requests through the provider's core.
func newSignIn(s *services, otps *otp.Service, sessions *session.Service, publicDomains directory.PublicMailDomains) (*signin.Service, error) {
	if s.assignments == nil {
		return nil, errors.New("sign-in: the assignment service is missing: apps that require assignment would admit anyone")
	}
	cfg := s.cfg
	signins, err := signin.New(
		signin.Config{PublicURL: cfg.PublicURL, Key: cfg.subkey("signin"), OldKeys: cfg.subkeys("signin")[1:],
			UnmanagedRetired: cfg.UnmanagedRetired(), PublicMailDomains: publicDomains, DomainSuffix: cfg.DomainSuffix},
		signin.Deps{
			Directory: s.db, Invitations: s.invitations, OTP: otps, Sessions: sessions,
			Policies: s.policies, Members: s.members, Accounts: s.members, SignUps: s.db, Federations: s.federations,
			ComposePasscode: s.composePasscode, Outbox: s.db,
			Login: loginBridge{s.oidc}, Assignments: s.assignments, SignInLog: s.db, Limiter: s.limiter, Limits: cfg.Abuse,
			Tx: s.db, Clock: s.clock, Log: s.log, Metrics: s.metrics,
		})
	if err != nil {
		return nil, err
	}
	return signins, nil
}
