package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/odata"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

const (
	servicePrincipalsPath    = "/v1.0/servicePrincipals"
	servicePrincipalsContext = "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals"
	applicationsPath         = "/v1.0/applications"
	applicationsContext      = "https://graph.microsoft.com/v1.0/$metadata#applications"
)

// Assignments is what the admin API asks of app assignment
// (assignment.Service has it).
type Assignments interface {
	Get(ctx context.Context, tenantID, appID string) (assignment.App, error)
	GetByServicePrincipal(ctx context.Context, tenantID, id string) (assignment.App, error)
	GetByApplication(ctx context.Context, tenantID, id string) (assignment.App, error)
	List(ctx context.Context, tenantID, afterAppID string, limit int) ([]assignment.App, error)
	SetRequired(ctx context.Context, tenantID, appID string, required bool, by audit.Actor) (assignment.App, error)
	UpdateApplication(ctx context.Context, tenantID, appID string, p assignment.ApplicationPatch, by audit.Actor) (assignment.App, error)
	ResolvePrincipal(ctx context.Context, tenantID, id string) (assignment.Principal, error)
	Assign(ctx context.Context, tenantID, appID, principalID, roleID string, by audit.Actor) (assignment.Assignment, error)
	GetAssignment(ctx context.Context, tenantID, id string) (assignment.Assignment, error)
	Unassign(ctx context.Context, tenantID, id string, by audit.Actor) error
	ListForApp(ctx context.Context, tenantID, appID, afterID string, limit int) ([]assignment.Assignment, error)
	ListForPrincipal(ctx context.Context, tenantID, principalID, afterID string, limit int) ([]assignment.Assignment, error)
}

// Permissions of the application, service principal and app role
// assignment routes (Graph's; the broader imply the narrower).
var (
	permAppsRead  = []string{roles.ApplicationReadAll, roles.ApplicationReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	permAppsWrite = []string{roles.ApplicationReadWriteAll, roles.DirectoryReadWriteAll}
	// appRoleAssignedTo is read with the service principal's permissions
	// or AppRoleAssignment.ReadWrite.All.
	permAssignedToRead = []string{roles.ApplicationReadAll, roles.ApplicationReadWriteAll, roles.AppRoleAssignmentReadWriteAll,
		roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	// A user's or a group's appRoleAssignments: Directory.Read.All or
	// AppRoleAssignment.ReadWrite.All.
	permPrincipalAssignmentsRead = []string{roles.DirectoryReadAll, roles.AppRoleAssignmentReadWriteAll, roles.DirectoryReadWriteAll}
	permAssignmentsWrite         = []string{roles.AppRoleAssignmentReadWriteAll}
)

// appIDKey marks a request that named its service principal or
// application by the alternate key (appId='…').
type appIDKey struct{}

// alternateKey turns /v1.0/servicePrincipals(appId='{appId}')/… and
// /v1.0/applications(appId='{appId}')/… into the routes' /{id} form,
// marking the request so the handlers look the app up by appId. The key
// is one path segment, which ServeMux cannot take apart.
func alternateKey(r *http.Request) *http.Request {
	p := r.URL.Path
	if len(p) < len("/v1.0/") {
		return r
	}
	seg, tail, _ := strings.Cut(p[len("/v1.0/"):], "/")
	for _, name := range []string{"servicePrincipals", "applications"} {
		if len(seg) <= len(name) || !strings.EqualFold(seg[:len(name)], name) {
			continue
		}
		key := seg[len(name):]
		const open, end = "(appid='", "')"
		if len(key) <= len(open)+len(end) || !strings.EqualFold(key[:len(open)], open) || !strings.HasSuffix(key, end) {
			return r
		}
		appID := key[len(open) : len(key)-len(end)]
		if strings.ContainsAny(appID, "'/") {
			return r
		}
		out := r.Clone(context.WithValue(r.Context(), appIDKey{}, true))
		out.URL.Path, out.URL.RawPath = p[:len("/v1.0/")]+name+"/"+appID, ""
		if tail != "" {
			out.URL.Path += "/" + tail
		}
		return out
	}
	return r
}

func byAppID(r *http.Request) bool {
	v, _ := r.Context().Value(appIDKey{}).(bool)
	return v
}

// servicePrincipalOf reads the service principal the path names (its
// object id, or its appId with the alternate key).
func (a *API) servicePrincipalOf(r *http.Request, c Caller) (assignment.App, error) {
	return a.appOfPath(r, c, a.deps.Assignments.GetByServicePrincipal)
}

// applicationOf reads the application the path names (its object id, or
// its appId with the alternate key).
func (a *API) applicationOf(r *http.Request, c Caller) (assignment.App, error) {
	return a.appOfPath(r, c, a.deps.Assignments.GetByApplication)
}

// appOfPath reads the app whose object the path names: by appId with the
// alternate key, else by the object id through byObjectID.
func (a *API) appOfPath(r *http.Request, c Caller, byObjectID func(context.Context, string, string) (assignment.App, error)) (assignment.App, error) {
	id := r.PathValue("id")
	get := byObjectID
	if byAppID(r) {
		get = a.deps.Assignments.Get
	}
	app, err := get(r.Context(), c.TenantID, id)
	if err != nil {
		return assignment.App{}, orObjectNotFound(err, id)
	}
	return app, nil
}

// registration is the OpenID Connect registration of the app (redirect
// URIs, public client); New made sure the API has the apps.
func (a *API) registration(ctx context.Context, app assignment.App) (oidc.App, error) {
	reg, err := a.deps.Apps.GetApp(ctx, app.TenantID, app.AppID)
	if errors.Is(err, store.ErrNotFound) {
		return oidc.App{}, nil // deleted between the two reads
	}
	return reg, err
}

// getServicePrincipal is GET /v1.0/servicePrincipals/{id} (and by
// appId) with $select.
func (a *API) getServicePrincipal(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAppsRead...); err != nil {
		return err
	}
	sel, err := structSelect(directoryObjects, servicePrincipalBody{}, "microsoft.graph.servicePrincipal", routeQuery(r).Select)
	if err != nil {
		return err
	}
	app, err := a.servicePrincipalOf(r, c)
	if err != nil {
		return err
	}
	reg, err := a.registration(r.Context(), app)
	if err != nil {
		return err
	}
	out := servicePrincipalOut(app, reg)
	ctx := selectContext(servicePrincipalsContext, sel) + "/$entity"
	if sel != nil {
		writeJSON(w, http.StatusOK, selectObject(out, sel, ctx))
		return nil
	}
	out.ODataContext = ctx
	writeJSON(w, http.StatusOK, out)
	return nil
}

type servicePrincipalPage struct {
	ODataContext  string `json:"@odata.context"`
	ODataNextLink string `json:"@odata.nextLink,omitempty"`
	Value         []any  `json:"value"`
}

// listServicePrincipals is GET /v1.0/servicePrincipals with $filter
// (appId eq '…' only), $select, $top and $skiptoken, in appId order.
func (a *API) listServicePrincipals(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAppsRead...); err != nil {
		return err
	}
	q := routeQuery(r)
	top, err := directoryObjects.pageSize(q)
	if err != nil {
		return err
	}
	sel, err := structSelect(directoryObjects, servicePrincipalBody{}, "microsoft.graph.servicePrincipal", q.Select)
	if err != nil {
		return err
	}
	apps, err := a.servicePrincipalsPage(r.Context(), c, q, top)
	if err != nil {
		return err
	}
	page := servicePrincipalPage{ODataContext: selectContext(servicePrincipalsContext, sel), Value: []any{}}
	if len(apps) > top {
		apps = apps[:top]
		page.ODataNextLink = a.nextLink(r, apps[len(apps)-1].AppID)
	}
	for _, app := range apps {
		reg, err := a.registration(r.Context(), app)
		if err != nil {
			return err
		}
		var item any = servicePrincipalOut(app, reg)
		if sel != nil {
			item = selectObject(servicePrincipalOut(app, reg), sel, "")
		}
		page.Value = append(page.Value, item)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// servicePrincipalsPage reads up to top+1 service principals after the
// skip token, or the one whose appId the filter names.
func (a *API) servicePrincipalsPage(ctx context.Context, c Caller, q odata.Query, top int) ([]assignment.App, error) {
	if q.Filter == nil {
		return a.deps.Assignments.List(ctx, c.TenantID, q.SkipToken, top+1)
	}
	appID, ok := appIDFilter(q.Filter)
	if !ok {
		return nil, directoryObjects.unsupported("Unsupported filter on servicePrincipals: only appId eq '{appId}' is supported.")
	}
	app, err := a.deps.Assignments.Get(ctx, c.TenantID, appID)
	if errors.Is(err, store.ErrNotFound) || err == nil && q.SkipToken != "" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []assignment.App{app}, nil
}

// appIDFilter reads "appId eq '…'" (the property in any case).
func appIDFilter(e odata.Expr) (string, bool) {
	b, ok := e.(*odata.Binary)
	if !ok || b.Op != odata.Eq {
		return "", false
	}
	p, ok := b.Left.(*odata.Path)
	if !ok || !strings.EqualFold(p.Name(), "appId") {
		return "", false
	}
	l, ok := b.Right.(*odata.Literal)
	if !ok || l.Kind != odata.StringLit && l.Kind != odata.GUIDLit {
		return "", false
	}
	return l.Text, true
}

// servicePrincipalIn is the body of PATCH /v1.0/servicePrincipals/{id}:
// appRoleAssignmentRequired is the property kept here.
type servicePrincipalIn struct {
	ODataType                 string `json:"@odata.type"`
	AppRoleAssignmentRequired *bool  `json:"appRoleAssignmentRequired"`
}

// patchServicePrincipal is PATCH /v1.0/servicePrincipals/{id} (and by
// appId): 204.
func (a *API) patchServicePrincipal(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAppsWrite...); err != nil {
		return err
	}
	var in servicePrincipalIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.ODataType != "" && !strings.EqualFold(strings.TrimPrefix(in.ODataType, "#"), "microsoft.graph.servicePrincipal") {
		return directoryBadRequest("The @odata.type of a service principal must be '#microsoft.graph.servicePrincipal'.")
	}
	app, err := a.servicePrincipalOf(r, c)
	if err != nil {
		return err
	}
	if in.AppRoleAssignmentRequired != nil {
		if _, err := a.deps.Assignments.SetRequired(r.Context(), c.TenantID, app.AppID, *in.AppRoleAssignmentRequired, a.actor(r, c)); err != nil {
			return orObjectNotFound(err, r.PathValue("id"))
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
