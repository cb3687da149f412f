package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/store"
)

// Caller is the authenticated app behind a request.
type Caller struct {
	TenantID string
	AppID    string
	// Roles are the Graph application permissions granted to the app.
	Roles []string
}

// TokenVerifier checks a bearer access token and says who calls.
type TokenVerifier interface {
	VerifyAccessToken(ctx context.Context, raw string) (Caller, error)
}

// Deps are what the API calls.
type Deps struct {
	Tokens      TokenVerifier
	Directory   directory.Store
	Invitations *invitation.Service
	Policies    *policy.Service
	// Members creates members (POST /v1.0/users).
	Members interface {
		CreateMember(ctx context.Context, t directory.Tenant, req member.NewMember, by audit.Actor) (directory.User, error)
	}
	// Lifecycle changes, deletes and restores users and ends their access
	// (lifecycle.Service has it).
	Lifecycle interface {
		Update(ctx context.Context, t directory.Tenant, userID string, p lifecycle.Patch, by audit.Actor) (directory.User, error)
		Delete(ctx context.Context, t directory.Tenant, userID string, by audit.Actor) error
		RevokeSignInSessions(ctx context.Context, t directory.Tenant, userID string, by audit.Actor) error
		GetDeleted(ctx context.Context, t directory.Tenant, userID string) (directory.DeletedUser, error)
		ListDeleted(ctx context.Context, t directory.Tenant, afterID string, limit int) ([]directory.DeletedUser, error)
		Restore(ctx context.Context, t directory.Tenant, userID string, by audit.Actor) (directory.User, error)
		Purge(ctx context.Context, t directory.Tenant, userID string, by audit.Actor) error
	}
	// Federations are the tenant's partner identity providers.
	Federations Federations
	Audit       audit.Store
	// SignIns is the sign-in log (GET /v1.0/auditLogs/signIns).
	SignIns audit.SignInStore
	// Apps names the calling app in audit records (optional).
	Apps interface {
		GetApp(ctx context.Context, tenantID, appID string) (oidc.App, error)
	}
	Clock clock.Clock
	Log   *slog.Logger
	// BaseURL is the public URL, for @odata.nextLink.
	BaseURL string
}

// API is the admin API. Create it with New.
type API struct {
	deps  Deps
	log   *slog.Logger
	clock clock.Clock
	mux   *http.ServeMux
	// segments maps the lower-case form of every literal path segment of
	// the routes to its spelling in the route, for case-insensitive paths.
	segments map[string]string
}

// New returns the API handler for /v1.0/….
func New(d Deps) *API {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.BaseURL = strings.TrimSuffix(d.BaseURL, "/")
	a := &API{deps: d, log: d.Log, clock: d.Clock, mux: http.NewServeMux(), segments: map[string]string{}}
	a.handle("POST /v1.0/invitations", a.createInvitation)
	a.handle("GET /v1.0/users/{id}", a.getUser)
	a.handle("GET /v1.0/users", a.listUsers)
	a.handle("POST /v1.0/users", a.createUser)
	a.handle("PATCH /v1.0/users/{id}", a.patchUser)
	a.handle("DELETE /v1.0/users/{id}", a.deleteUser)
	a.handle("POST /v1.0/users/{id}/revokeSignInSessions", a.revokeSignInSessions)
	a.handle("GET "+deletedItemsPath+"/microsoft.graph.user", a.listDeletedUsers)
	a.handle("GET "+deletedItemsPath+"/{id}", a.getDeletedItem)
	a.handle("POST "+deletedItemsPath+"/{id}/restore", a.restoreDeletedItem)
	a.handle("DELETE "+deletedItemsPath+"/{id}", a.purgeDeletedItem)
	a.handle("GET "+authMethodsPolicyPath, a.getAuthMethodsPolicy)
	a.handle("GET "+authMethodConfigsPath, a.listAuthMethodConfigs)
	a.handle("GET "+emailConfigPath, a.getEmailConfig)
	a.handle("PATCH "+emailConfigPath, a.patchEmailConfig)
	a.handle("DELETE "+emailConfigPath, a.deleteEmailConfig)
	a.handle("GET /v1.0/auditLogs/directoryAudits", a.listDirectoryAudits)
	a.handle("GET /v1.0/auditLogs/directoryAudits/{id}", a.getDirectoryAudit)
	a.handle("GET /v1.0/auditLogs/signIns", a.listSignIns)
	a.handle("GET /v1.0/auditLogs/signIns/{id}", a.getSignIn)
	a.handle("GET "+crossTenantDefaultPath, a.getCrossTenantDefault)
	a.handle("PATCH "+crossTenantDefaultPath, a.patchCrossTenantDefault)
	a.handle("GET "+identityProvidersPath, a.listIdentityProviders)
	a.handle("POST "+identityProvidersPath, a.createIdentityProvider)
	a.handle("GET "+identityProvidersPath+"/{id}", a.getIdentityProvider)
	a.handle("PATCH "+identityProvidersPath+"/{id}", a.patchIdentityProvider)
	a.handle("DELETE "+identityProvidersPath+"/{id}", a.deleteIdentityProvider)
	for _, m := range []string{"GET ", "POST ", "PATCH ", "DELETE "} {
		a.handle(m+federationConfigsPath+"/{x}", a.federationConfigs)
	}
	for _, m := range []string{"GET ", "PATCH ", "DELETE "} {
		a.handle(m+federationConfigsPath+"/{a}/{b}", a.federationConfigItem)
	}
	a.handle("GET "+federationConfigsPath+"/{a}/{b}/domains", a.federationConfigDomains)
	a.handle("POST "+federationConfigsPath+"/{a}/{b}/domains", a.federationConfigDomains)
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if version, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); !strings.EqualFold(version, "v1.0") {
		a.writeError(w, r, errVersion(version))
		return
	}
	if p := a.canonicalPath(r.URL.Path); p != r.URL.Path {
		r = r.Clone(r.Context())
		r.URL.Path, r.URL.RawPath = p, ""
	}
	// Handler only says whether a route matches; ServeHTTP then routes
	// (it also sets the path's wildcards, which Handler does not).
	if h, pattern := a.mux.Handler(r); pattern == "" {
		a.unrouted(w, r, h)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// handlerFunc is an API handler: it gets the verified caller and returns an
// error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c Caller) error

func (a *API) handle(pattern string, h handlerFunc) {
	a.learnSegments(pattern)
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, err := a.authenticate(r)
		if err == nil {
			err = h(w, r, c)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

func (a *API) authenticate(r *http.Request) (Caller, error) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return Caller{}, errUnauthenticated
	}
	c, err := a.deps.Tokens.VerifyAccessToken(r.Context(), strings.TrimSpace(raw))
	if errors.Is(err, store.ErrUnavailable) {
		// The token may be fine: say the service is down, not 401, so
		// clients retry instead of discarding their token.
		return Caller{}, err
	}
	if err != nil {
		a.log.InfoContext(r.Context(), "admin API token refused", "err", err)
		return Caller{}, errUnauthenticated
	}
	return c, nil
}

// require answers 403 unless the caller holds one of the permissions.
func require(c Caller, anyOf ...string) error {
	for _, have := range c.Roles {
		for _, want := range anyOf {
			if have == want {
				return nil
			}
		}
	}
	return errForbidden
}

// Permissions by operation (Graph's names; the broader ones imply the narrower).
var (
	permInvite = []string{"User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}
	// Inviting with invitedUserType Member makes a member: more than inviting a guest.
	permInviteMember = []string{"User.ReadWrite.All", "Directory.ReadWrite.All"}
	permUsersRead    = []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	// Resetting a redemption changes an existing user: more than inviting.
	permResetRedemption = []string{"User.ReadWrite.All", "Directory.ReadWrite.All"}
	permPolicyRead      = []string{"Policy.Read.All", "Policy.ReadWrite.AuthenticationMethod"}
	permPolicyWrite     = []string{"Policy.ReadWrite.AuthenticationMethod"}
	permAuditRead       = []string{"AuditLog.Read.All"}
)

// tenant loads the caller's tenant.
func (a *API) tenant(ctx context.Context, c Caller) (directory.Tenant, error) {
	return a.deps.Directory.GetTenant(ctx, c.TenantID)
}
