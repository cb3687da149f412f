package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/odata"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// Caller is the authenticated app behind a request, and with a delegated
// token the signed-in user it acts for.
type Caller struct {
	TenantID string
	AppID    string
	// Roles are the Graph application permissions granted to the app
	// (app-only tokens).
	Roles []string
	// User is the signed-in user of a delegated token (zero for app-only
	// tokens); Scopes are the token's Graph delegated permissions and
	// DirectoryRoles the template ids of the user's roles. A guest's
	// delegated token is allowed nothing.
	User           directory.User
	Scopes         []string
	DirectoryRoles []string
}

// Delegated reports whether the caller acts for a signed-in user.
func (c Caller) Delegated() bool { return c.User.ID != "" }

// authority is what R14 lets the caller do to admins: a delegated token
// the signed-in member's roles, an app-only token its application
// permissions (an app touches admins only with
// RoleManagement.ReadWrite.Directory).
func (c Caller) authority() roles.Authority {
	if c.Delegated() {
		return roles.AsMember(c.DirectoryRoles)
	}
	return roles.AsApp(c.Roles)
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
		Update(ctx context.Context, t directory.Tenant, userID string, p lifecycle.Patch, by audit.Actor, as roles.Authority) (directory.User, error)
		Delete(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error
		RevokeSignInSessions(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error
		GetDeleted(ctx context.Context, t directory.Tenant, userID string) (directory.DeletedUser, error)
		QueryDeleted(ctx context.Context, t directory.Tenant, q directory.DeletedQuery) ([]directory.DeletedUser, error)
		CountDeleted(ctx context.Context, t directory.Tenant) (int, error)
		Restore(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) (directory.User, error)
		Purge(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error
	}
	// Branding is the tenants' company branding (organizationalBranding).
	Branding *branding.Service
	// Federations are the tenant's partner identity providers.
	Federations Federations
	// Roles assigns and lists directory roles (roles.Service has it).
	Roles interface {
		Assign(ctx context.Context, t directory.Tenant, userID, roleID, scope string, by audit.Actor) (roles.Assignment, error)
		List(ctx context.Context, tenantID, principalID string) ([]roles.Assignment, error)
		Get(ctx context.Context, tenantID, id string) (roles.Assignment, error)
		Remove(ctx context.Context, t directory.Tenant, id string, by audit.Actor, as roles.Authority) error
	}
	// Collab is the external collaboration settings (collab.Service has it).
	Collab interface {
		Get(ctx context.Context, t directory.Tenant) (collab.Settings, error)
		Update(ctx context.Context, t directory.Tenant, p collab.Patch, by audit.Actor) (collab.Settings, error)
	}
	// Groups are the tenant's security groups and their members
	// (groups.Service has it).
	Groups Groups
	// Assignments are the apps' service principals, applications and app
	// role assignments (assignment.Service has it).
	Assignments Assignments
	Audit       audit.Store
	// SignIns is the sign-in log (GET /v1.0/auditLogs/signIns).
	SignIns audit.SignInStore
	// Apps names the calling app in audit records, and gives the service
	// principal and application routes each app's OpenID Connect
	// registration (redirect URIs, public client): required with
	// Assignments (New refuses one without the other), optional otherwise.
	Apps interface {
		GetApp(ctx context.Context, tenantID, appID string) (oidc.App, error)
	}
	// Limiter and WriteLimit apply Graph's write limit per app per tenant
	// (POST, PATCH, DELETE; optional: without a Limiter nothing is limited).
	Limiter    *ratelimit.Limiter
	WriteLimit ratelimit.Scope
	Clock      clock.Clock
	Log        *slog.Logger
	// BaseURL is the public URL, for @odata.nextLink.
	BaseURL string

	// ReadLimiter and ReadLimit apply the read limit per caller per tenant,
	// and ReadGate bounds a tenant's reads running at once (read_limit.go;
	// each optional: without it nothing is limited).
	ReadLimiter *ratelimit.Local
	ReadLimit   ratelimit.Rule
	ReadGate    *ratelimit.Gate
}

// check refuses Deps that New would build into a handler missing a
// service some of its routes need.
func (d Deps) check() error {
	if d.Assignments != nil && d.Apps == nil {
		return errors.New("graph: Apps is missing: the wiring left it out (the service principal and application routes read the apps' registrations)")
	}
	return nil
}

// API is the admin API. Create it with New.
type API struct {
	deps  Deps
	log   *slog.Logger
	clock clock.Clock
	mux   *http.ServeMux
	// routes is the route table, in the order handle added them.
	routes []route
	// segments maps the lower-case form of every literal path segment of
	// the routes to its spelling in the route, for case-insensitive paths.
	segments map[string]string
}

// New returns the API handler for /v1.0/…. It refuses Deps with the
// Assignments but without the Apps: the apps' routes would answer without
// their registrations instead of failing when the process starts.
func New(d Deps) (*API, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.BaseURL = strings.TrimSuffix(d.BaseURL, "/")
	a := &API{deps: d, log: d.Log, clock: d.Clock, mux: http.NewServeMux(), segments: map[string]string{}}
	// The route table: each route's pattern, the codes of its query
	// errors, its handler and the OData query options it takes. Any other
	// $-option is 400 before the handler runs (routing.go).
	a.handle("POST /v1.0/invitations", otherResources, a.createInvitation)
	a.handle("GET /v1.0/users", directoryObjects, a.listUsers,
		odata.OptFilter, odata.OptSearch, odata.OptSelect, odata.OptOrderBy, odata.OptCount, odata.OptTop, odata.OptSkipToken)
	a.handle("GET /v1.0/users/$count", directoryObjects, a.countUsers, odata.OptFilter, odata.OptSearch)
	a.handle("GET /v1.0/users/{id}", directoryObjects, a.getUser, odata.OptSelect)
	a.handle("POST /v1.0/users", directoryObjects, a.createUser)
	a.handle("PATCH /v1.0/users/{id}", directoryObjects, a.patchUser)
	a.handle("DELETE /v1.0/users/{id}", directoryObjects, a.deleteUser)
	a.handle("POST /v1.0/users/{id}/revokeSignInSessions", directoryObjects, a.revokeSignInSessions)
	a.handle("GET "+deletedItemsPath+"/microsoft.graph.user", directoryObjects, a.listDeletedUsers, odata.OptSelect, odata.OptOrderBy, odata.OptCount, odata.OptTop, odata.OptSkipToken)
	a.handle("GET "+deletedItemsPath+"/{id}", directoryObjects, a.getDeletedItem)
	a.handle("POST "+deletedItemsPath+"/{id}/restore", directoryObjects, a.restoreDeletedItem)
	a.handle("DELETE "+deletedItemsPath+"/{id}", directoryObjects, a.purgeDeletedItem)
	// Graph takes the type cast with or without its namespace's alias
	// (the Go SDK sends graph.group).
	a.handle("GET "+deletedItemsPath+"/microsoft.graph.group", directoryObjects, a.listDeletedGroups, odata.OptSelect, odata.OptTop, odata.OptSkipToken)
	a.handle("GET "+deletedItemsPath+"/graph.group", directoryObjects, a.listDeletedGroups, odata.OptSelect, odata.OptTop, odata.OptSkipToken)
	a.handle("GET "+groupsPath, directoryObjects, a.listGroups,
		odata.OptFilter, odata.OptSearch, odata.OptSelect, odata.OptOrderBy, odata.OptCount, odata.OptTop, odata.OptSkipToken)
	a.handle("POST "+groupsPath, directoryObjects, a.createGroup)
	a.handle("GET "+groupsPath+"/{id}", directoryObjects, a.getGroup, odata.OptSelect)
	a.handle("PATCH "+groupsPath+"/{id}", directoryObjects, a.patchGroup)
	a.handle("DELETE "+groupsPath+"/{id}", directoryObjects, a.deleteGroup)
	a.handle("GET "+groupsPath+"/{id}/members", directoryObjects, a.listGroupMembers, odata.OptTop, odata.OptSkipToken)
	a.handle("POST "+groupsPath+"/{id}/members/$ref", directoryObjects, a.addGroupMember)
	a.handle("DELETE "+groupsPath+"/{id}/members/{member}/$ref", directoryObjects, a.removeGroupMember)
	a.handle("GET /v1.0/users/{id}/memberOf", directoryObjects, a.listMemberOf, odata.OptTop, odata.OptSkipToken)
	a.handle("GET /v1.0/users/{id}/transitiveMemberOf", directoryObjects, a.listTransitiveMemberOf)
	a.handle("POST /v1.0/users/{id}/checkMemberGroups", directoryObjects, a.checkMemberGroups)
	a.handle("POST /v1.0/users/{id}/getMemberObjects", directoryObjects, a.getMemberObjects)
	a.handle("POST /v1.0/me/getMemberObjects", directoryObjects, a.getMyMemberObjects)
	a.handleAssignments()
	a.handle("GET "+authMethodsPolicyPath, otherResources, a.getAuthMethodsPolicy)
	a.handle("GET "+authMethodConfigsPath, otherResources, a.listAuthMethodConfigs)
	a.handle("GET "+emailConfigPath, otherResources, a.getEmailConfig)
	a.handle("PATCH "+emailConfigPath, otherResources, a.patchEmailConfig)
	a.handle("DELETE "+emailConfigPath, otherResources, a.deleteEmailConfig)
	a.handle("GET /v1.0/auditLogs/directoryAudits", otherResources, a.listDirectoryAudits, odata.OptFilter, odata.OptOrderBy, odata.OptTop, odata.OptSkipToken)
	a.handle("GET /v1.0/auditLogs/directoryAudits/{id}", otherResources, a.getDirectoryAudit)
	a.handle("GET /v1.0/auditLogs/signIns", otherResources, a.listSignIns, odata.OptFilter, odata.OptSelect, odata.OptOrderBy, odata.OptTop, odata.OptSkipToken)
	a.handle("GET /v1.0/auditLogs/signIns/{id}", otherResources, a.getSignIn, odata.OptSelect)
	a.handle("GET "+crossTenantDefaultPath, otherResources, a.getCrossTenantDefault)
	a.handle("PATCH "+crossTenantDefaultPath, otherResources, a.patchCrossTenantDefault)
	a.handle("GET "+identityProvidersPath, otherResources, a.listIdentityProviders)
	a.handle("POST "+identityProvidersPath, otherResources, a.createIdentityProvider)
	a.handle("GET "+identityProvidersPath+"/{id}", otherResources, a.getIdentityProvider)
	a.handle("PATCH "+identityProvidersPath+"/{id}", otherResources, a.patchIdentityProvider)
	a.handle("DELETE "+identityProvidersPath+"/{id}", otherResources, a.deleteIdentityProvider)
	for _, m := range []string{"GET ", "POST ", "PATCH ", "DELETE "} {
		a.handle(m+federationConfigsPath+"/{x}", directoryObjects, a.federationConfigs)
	}
	for _, m := range []string{"GET ", "PATCH ", "DELETE "} {
		a.handle(m+federationConfigsPath+"/{a}/{b}", directoryObjects, a.federationConfigItem)
	}
	a.handle("GET "+federationConfigsPath+"/{a}/{b}/domains", directoryObjects, a.federationConfigDomains)
	a.handle("POST "+federationConfigsPath+"/{a}/{b}/domains", directoryObjects, a.federationConfigDomains)
	a.handle("GET /v1.0/organization", directoryObjects, a.listOrganization)
	a.handle("GET /v1.0/organization/{id}", directoryObjects, a.getOrganization)
	a.handle("GET /v1.0/me", directoryObjects, a.getMe, odata.OptSelect)
	a.handle("GET "+brandingPath, otherResources, a.getBranding)
	a.handle("PATCH "+brandingPath, otherResources, a.patchBranding)
	a.handle("GET "+brandingPath+"/bannerLogo", otherResources, a.getBannerLogo)
	a.handle("PUT "+brandingPath+"/bannerLogo", otherResources, a.putBannerLogo)
	a.handle("GET "+brandingPath+"/localizations", otherResources, a.listLocalizations, odata.OptSelect)
	a.handle("POST "+brandingPath+"/localizations", otherResources, a.createLocalization)
	a.handle("GET "+brandingPath+"/localizations/{lang}", otherResources, a.getBranding)
	a.handle("PATCH "+brandingPath+"/localizations/{lang}", otherResources, a.patchBranding)
	a.handle("GET "+brandingPath+"/localizations/{lang}/bannerLogo", otherResources, a.getBannerLogo)
	a.handle("PUT "+brandingPath+"/localizations/{lang}/bannerLogo", otherResources, a.putBannerLogo)
	a.handle("GET "+roleAssignmentsPath, otherResources, a.listRoleAssignments, odata.OptFilter, odata.OptExpand)
	a.handle("POST "+roleAssignmentsPath, otherResources, a.createRoleAssignment)
	a.handle("GET "+roleAssignmentsPath+"/{id}", otherResources, a.getRoleAssignment, odata.OptExpand)
	a.handle("DELETE "+roleAssignmentsPath+"/{id}", otherResources, a.deleteRoleAssignment)
	a.handle("GET "+roleDefinitionsPath, otherResources, a.listRoleDefinitions)
	a.handle("GET "+roleDefinitionsPath+"/{id}", otherResources, a.getRoleDefinition)
	a.handle("GET "+authorizationPolicyPath, otherResources, a.getAuthorizationPolicy)
	a.handle("PATCH "+authorizationPolicyPath, otherResources, a.patchAuthorizationPolicy)
	a.handle("GET "+b2bPolicyPath, otherResources, a.getB2BPolicy)
	a.handle("PATCH "+b2bPolicyPath, otherResources, a.patchB2BPolicy)
	return a, nil
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if version, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); !strings.EqualFold(version, "v1.0") {
		a.writeError(w, r, errVersion(version))
		return
	}
	r = alternateKey(r)
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
// error for writeError. The route's query options are in routeQuery(r).
type handlerFunc func(w http.ResponseWriter, r *http.Request, c Caller) error

// handle adds a route: its OData query options (options; any other is 400
// with scope's code), then the bearer token, are checked before h runs.
func (a *API) handle(pattern string, scope queryScope, h handlerFunc, options ...string) {
	a.learnSegments(pattern)
	a.routes = append(a.routes, route{pattern: pattern, scope: scope, options: options})
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		err := checkInput(r)
		var q odata.Query
		if err == nil {
			q, err = scope.parseQuery(r, options...)
		}
		var c Caller
		if err == nil {
			c, err = a.authenticate(r)
		}
		if err == nil {
			rq := r.WithContext(withRouteQuery(r.Context(), q))
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				err = a.limitReads(w, rq, c, h)
			} else {
				err = a.limitWrites(w, rq, c, h)
			}
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// limitWrites runs h, under Graph's write limit when the request writes:
// every write of an app in a tenant counts (whatever its answer), and
// past the limit the answer is 429 TooManyRequests with Retry-After until
// the window ends; refused writes are not counted. The write is counted
// before it runs, failing closed: when the count cannot be stored (the
// database down or failing over) the write is not done and the answer is
// 503, so no write is ever done uncounted.
func (a *API) limitWrites(w http.ResponseWriter, r *http.Request, c Caller, h handlerFunc) error {
	if a.deps.Limiter == nil || r.Method != http.MethodPost && r.Method != http.MethodPatch && r.Method != http.MethodPut && r.Method != http.MethodDelete {
		return h(w, r, c)
	}
	subj := ratelimit.AppWrites(c.TenantID, c.AppID)
	var le *ratelimit.LimitedError
	switch err := a.deps.Limiter.Check(r.Context(), a.deps.WriteLimit, subj); {
	case errors.As(err, &le):
		return &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: le.RetryAfter(a.clock.Now()),
			Message: "Too many requests. This app made too many write requests to this tenant; retry after the interval in the Retry-After header."}
	case err != nil:
		return err
	}
	if err := a.deps.Limiter.Count(r.Context(), a.deps.WriteLimit, subj); err != nil {
		return err
	}
	return h(w, r, c)
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
	if c.Delegated() {
		// A directory nobody administers (unmanaged, consumers) lends its
		// accounts nothing, whatever the token's scopes (R15).
		t, err := a.tenant(r.Context(), c)
		if err != nil {
			return Caller{}, err
		}
		if !t.Administered() {
			return Caller{}, errForbidden
		}
	}
	return c, nil
}

// require answers 403 unless the caller holds one of the permissions: an
// app-only token among its roles; a delegated token among its scopes, and
// only when the user's directory roles allow that permission too (R10). A
// guest is allowed nothing.
func require(c Caller, anyOf ...string) error {
	if c.Delegated() {
		if c.User.UserType != directory.UserTypeMember {
			return errForbidden
		}
		for _, want := range anyOf {
			if slices.Contains(c.Scopes, want) && roles.Allows(c.DirectoryRoles, want) {
				return nil
			}
		}
		return errForbidden
	}
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
	permInvite = []string{roles.UserInviteAll, roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	// Inviting with invitedUserType Member makes a member: more than inviting a guest.
	permInviteMember = []string{roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	permUsersRead    = []string{roles.UserReadAll, roles.UserReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	// Resetting a redemption changes an existing user: more than inviting.
	permResetRedemption = []string{roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	permPolicyRead      = []string{roles.PolicyReadAll, roles.PolicyReadWriteAuthn}
	permPolicyWrite     = []string{roles.PolicyReadWriteAuthn}
	permAuditRead       = []string{roles.AuditLogReadAll}
)

// tenant loads the caller's tenant.
func (a *API) tenant(ctx context.Context, c Caller) (directory.Tenant, error) {
	return a.deps.Directory.GetTenant(ctx, c.TenantID)
}
