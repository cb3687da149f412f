package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// The "Enterprise applications" pages list the tenant's apps and show an
// app's "Users and groups", as Entra does: whether assignment is
// required, whether tokens carry the groups claim, the users and groups
// assigned with their roles, "Add user/group" and "Remove". Every change
// goes through the assignment service the admin API uses, as the
// signed-in member, so its rules and audit records are the API's; the
// changes table gates them with Graph's permissions
// (Application.ReadWrite.All for the app's settings,
// AppRoleAssignment.ReadWrite.All for its assignments).

// Assignments is what the console asks of app assignment
// (assignment.Service has it).
type Assignments interface {
	Get(ctx context.Context, tenantID, appID string) (assignment.App, error)
	List(ctx context.Context, tenantID, afterAppID string, limit int) ([]assignment.App, error)
	SetRequired(ctx context.Context, tenantID, appID string, required bool, by audit.Actor) (assignment.App, error)
	SetGroupClaims(ctx context.Context, tenantID, appID, claims string, by audit.Actor) (assignment.App, error)
	Assign(ctx context.Context, tenantID, appID, principalID, roleID string, by audit.Actor) (assignment.Assignment, error)
	GetAssignment(ctx context.Context, tenantID, id string) (assignment.Assignment, error)
	Unassign(ctx context.Context, tenantID, id string, by audit.Actor) error
	ListForApp(ctx context.Context, tenantID, appID, afterID string, limit int) ([]assignment.Assignment, error)
	ListForPrincipal(ctx context.Context, tenantID, principalID, afterID string, limit int) ([]assignment.Assignment, error)
}

// appsPerPage bounds a page of apps or of an app's assignments.
const appsPerPage = 50

type appRow struct {
	AppID, Name string
	Required    bool
}

type appsData struct {
	Apps    []appRow
	NextURL string
}

// appsList is the tenant's apps, by app id, a page at a time.
func (h *Handler) appsList(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.ApplicationReadAll) {
		h.forbidden(w, r, a)
		return
	}
	list, err := h.d.Assignments.List(r.Context(), a.Tenant.ID, r.URL.Query().Get("after"), appsPerPage+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "apps", "console.apps.title")
	var d appsData
	if len(list) > appsPerPage {
		list = list[:appsPerPage]
		d.NextURL = v.Base + "/apps?" + url.Values{"after": {list[len(list)-1].AppID}}.Encode()
	}
	for _, x := range list {
		d.Apps = append(d.Apps, appRow{AppID: x.AppID, Name: x.DisplayName, Required: x.AssignmentRequired})
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "apps", v)
}

// assignedRow is one assignment on the app's page.
type assignedRow struct {
	ID, PrincipalID, Name string
	Group                 bool
	// Role is the role's display name ("" for Default Access).
	Role string
}

type roleRow struct {
	ID, Name, Value string
	Enabled         bool
}

type appData struct {
	AppID, ObjectID, Created string
	Required, GroupsClaim    bool
	Roles                    []roleRow
	Assigned                 []assignedRow
	CanConfigure, CanAssign  bool
	NextURL                  string
}

// appDone are the notices of the app's page after a change.
var appDone = map[string]string{"required": "console.app.done_required", "claims": "console.app.done_claims",
	"assigned": "console.app.done_assigned", "removed": "console.app.done_removed"}

// app is an app's page: its ids and its "Users and groups".
func (h *Handler) app(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.ApplicationReadAll) {
		h.forbidden(w, r, a)
		return
	}
	app, ok := h.loadApp(w, r, a)
	if !ok {
		return
	}
	as, err := h.d.Assignments.ListForApp(r.Context(), a.Tenant.ID, app.AppID, r.URL.Query().Get("after"), appsPerPage+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "apps", "console.app.title", app.DisplayName)
	d := appData{AppID: app.AppID, ObjectID: app.ServicePrincipalID, Created: formatTime(app.CreatedAt), Required: app.AssignmentRequired,
		GroupsClaim: app.GroupsClaim(), CanConfigure: a.may(roles.ApplicationReadWriteAll), CanAssign: a.may(roles.AppRoleAssignmentReadWriteAll)}
	if len(as) > appsPerPage {
		as = as[:appsPerPage]
		d.NextURL = v.Base + "/apps/" + app.AppID + "?" + url.Values{"after": {as[len(as)-1].ID}}.Encode()
	}
	for _, x := range app.AppRoles {
		d.Roles = append(d.Roles, roleRow{ID: x.ID, Name: x.DisplayName, Value: x.Value, Enabled: x.IsEnabled})
	}
	for _, x := range as {
		d.Assigned = append(d.Assigned, assignedRow{ID: x.ID, PrincipalID: x.PrincipalID, Name: x.PrincipalDisplayName,
			Group: x.PrincipalType == assignment.PrincipalGroup, Role: appRoleName(app, x.AppRoleID)})
	}
	if key, ok := appDone[r.URL.Query().Get("done")]; ok {
		v.Notice = i18n.T(v.Lang, key)
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "app", v)
}

// appRoleName is the display name of the app's role id ("" for the default
// access role, which the page words in the reader's language).
func appRoleName(app assignment.App, id string) string {
	for _, x := range app.AppRoles {
		if x.ID == id {
			return x.DisplayName
		}
	}
	return ""
}

// loadApp reads the path's app of the member's tenant (the 404 page
// otherwise, another tenant's app included).
func (h *Handler) loadApp(w http.ResponseWriter, r *http.Request, a admin) (assignment.App, bool) {
	app, err := h.d.Assignments.Get(r.Context(), a.Tenant.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
		return app, false
	}
	if err != nil {
		h.fail(w, r, err)
		return app, false
	}
	return app, true
}

// userApp is one of a user's app assignments on the user's page.
type userApp struct {
	AppID, Name string
	// Role is the role's display name ("" for Default Access).
	Role string
	// GroupID and GroupName are the group that assigns the user ("" for
	// an assignment of the user itself).
	GroupID, GroupName string
}

// userApps are the first page of the user's assignments, as Graph's
// appRoleAssignments lists them: the user's own and those of the groups
// the user is directly in; each app is read once for its roles' names.
func (h *Handler) userApps(r *http.Request, a admin, u directory.User) ([]userApp, error) {
	if h.d.Assignments == nil || !a.may(roles.ApplicationReadAll) {
		return nil, nil
	}
	as, err := h.d.Assignments.ListForPrincipal(r.Context(), a.Tenant.ID, u.ID, "", appsPerPage)
	if err != nil {
		return nil, err
	}
	apps := map[string]assignment.App{}
	out := make([]userApp, 0, len(as))
	for _, x := range as {
		app, ok := apps[x.AppID]
		if !ok {
			if app, err = h.d.Assignments.Get(r.Context(), a.Tenant.ID, x.AppID); err != nil {
				return nil, err
			}
			apps[x.AppID] = app
		}
		ua := userApp{AppID: x.AppID, Name: app.DisplayName, Role: appRoleName(app, x.AppRoleID)}
		if x.PrincipalType == assignment.PrincipalGroup {
			ua.GroupID, ua.GroupName = x.PrincipalID, x.PrincipalDisplayName
		}
		out = append(out, ua)
	}
	return out, nil
}
