package server

import (
	"context"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/roles"
)

// CreateTenant creates a tenant (guestgate tenant create).
func (s *Server) CreateTenant(ctx context.Context, req directory.NewTenantRequest) (directory.Tenant, error) {
	return directory.CreateOrTakeOver(ctx, s.db, req, s.cfg.DomainSuffix, s.clock.Now())
}

// ListTenants lists every tenant (guestgate tenant list).
func (s *Server) ListTenants(ctx context.Context) ([]directory.Tenant, error) {
	var all []directory.Tenant
	after := ""
	for {
		page, err := s.db.ListTenants(ctx, after, 500)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

// ResolveTenant finds a tenant by id or verified domain.
func (s *Server) ResolveTenant(ctx context.Context, idOrDomain string) (directory.Tenant, error) {
	return directory.Resolve(ctx, s.db, idOrDomain)
}

// CreateApp registers an app (guestgate app create); the secret is returned only here.
func (s *Server) CreateApp(ctx context.Context, tenantID, name string, permissions, redirectURIs, postLogoutURIs []string, public bool) (oidc.App, string, error) {
	return s.oidc.CreateApp(ctx, tenantID, name, permissions, redirectURIs, postLogoutURIs, public)
}

// ListApps lists a tenant's apps (guestgate app list).
func (s *Server) ListApps(ctx context.Context, tenantID string) ([]oidc.App, error) {
	return s.oidc.ListApps(ctx, tenantID)
}

// DeleteApp deletes an app; its tokens stop working at once (guestgate app delete).
func (s *Server) DeleteApp(ctx context.Context, tenantID, appID string) error {
	return s.oidc.DeleteApp(ctx, tenantID, appID)
}

// AddAppSecret adds a client secret to an app; the secret is returned only
// here (guestgate app secret add).
func (s *Server) AddAppSecret(ctx context.Context, tenantID, appID string) (oidc.AppSecret, string, error) {
	return s.oidc.AddAppSecret(ctx, tenantID, appID)
}

// AppSecrets lists an app's secrets, ids and creation times only (guestgate app secret list).
func (s *Server) AppSecrets(ctx context.Context, tenantID, appID string) ([]oidc.AppSecret, error) {
	return s.oidc.AppSecrets(ctx, tenantID, appID)
}

// RemoveAppSecret removes one client secret of an app (guestgate app secret remove).
func (s *Server) RemoveAppSecret(ctx context.Context, tenantID, appID, secretID string) error {
	return s.oidc.RemoveAppSecret(ctx, tenantID, appID, secretID)
}

// Invite invites a guest (guestgate invite); the redeem link uses the
// public URL given or stored by serve, never a guess.
func (s *Server) Invite(ctx context.Context, t directory.Tenant, req invitation.Request) (invitation.Result, error) {
	if s.publicURLUnknown {
		return invitation.Result{}, ErrPublicURLUnknown
	}
	if req.By == (audit.Actor{}) {
		req.By = audit.CLI
	}
	return s.invitations.Invite(ctx, t, req)
}

// RotateKeys creates a new signing key and retires the others (guestgate keys rotate).
func (s *Server) RotateKeys(ctx context.Context) (string, error) { return s.oidc.RotateKeys(ctx) }

// EmailPolicy returns the tenant's email OTP policy and its effective state
// (guestgate policy email show).
func (s *Server) EmailPolicy(ctx context.Context, t directory.Tenant) (policy.View, error) {
	return s.policies.Get(ctx, t)
}

// SetEmailPolicy sets allowExternalIdToUseEmailOtp, recorded in the audit
// log as done by the CLI (guestgate policy email set).
func (s *Server) SetEmailPolicy(ctx context.Context, t directory.Tenant, v policy.AllowExternal) (policy.View, error) {
	return s.policies.Update(ctx, t, policy.Patch{AllowExternal: &v}, audit.CLI)
}

// ResetRedemption resets a guest's redemption status and invites them
// again, recorded as done by the CLI (guestgate user reset-redemption).
func (s *Server) ResetRedemption(ctx context.Context, t directory.Tenant, userID string, req invitation.Request) (invitation.Result, error) {
	if s.publicURLUnknown {
		return invitation.Result{}, ErrPublicURLUnknown
	}
	return s.invitations.ResetRedemption(ctx, t, userID, req, audit.CLI, roles.AsOperator())
}
