package graph

import (
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/odata"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

// appRoleAssignmentBody is Graph's appRoleAssignment.
type appRoleAssignmentBody struct {
	ODataContext         string  `json:"@odata.context,omitempty"`
	ID                   string  `json:"id"`
	DeletedDateTime      *string `json:"deletedDateTime"`
	AppRoleID            string  `json:"appRoleId"`
	CreatedDateTime      string  `json:"createdDateTime"`
	PrincipalDisplayName string  `json:"principalDisplayName"`
	PrincipalID          string  `json:"principalId"`
	PrincipalType        string  `json:"principalType"`
	ResourceDisplayName  string  `json:"resourceDisplayName"`
	ResourceID           string  `json:"resourceId"`
}

func appRoleAssignmentOut(a assignment.Assignment) appRoleAssignmentBody {
	return appRoleAssignmentBody{ID: a.ID, AppRoleID: a.AppRoleID, CreatedDateTime: a.CreatedAt.UTC().Format(graphTime),
		PrincipalDisplayName: a.PrincipalDisplayName, PrincipalID: a.PrincipalID, PrincipalType: a.PrincipalType,
		ResourceDisplayName: a.ResourceDisplayName, ResourceID: a.ServicePrincipalID}
}

// appRoleAssignmentIn is the body of the POSTs that grant an app role:
// principalId, resourceId and appRoleId are required; the read-only
// properties Graph's SDKs may send are ignored.
type appRoleAssignmentIn struct {
	ODataType            string  `json:"@odata.type"`
	PrincipalID          *string `json:"principalId"`
	ResourceID           *string `json:"resourceId"`
	AppRoleID            *string `json:"appRoleId"`
	PrincipalType        *string `json:"principalType"`
	PrincipalDisplayName *string `json:"principalDisplayName"`
	ResourceDisplayName  *string `json:"resourceDisplayName"`
}

func (in appRoleAssignmentIn) check() error {
	if in.ODataType != "" && !strings.EqualFold(strings.TrimPrefix(in.ODataType, "#"), "microsoft.graph.appRoleAssignment") {
		return directoryBadRequest("The @odata.type of an app role assignment must be '#microsoft.graph.appRoleAssignment'.")
	}
	for name, v := range map[string]*string{"principalId": in.PrincipalID, "resourceId": in.ResourceID, "appRoleId": in.AppRoleID} {
		if v == nil {
			return directoryBadRequest("Invalid value specified for property '" + name + "' of resource 'AppRoleAssignment'.")
		}
		if _, err := uuid.Parse(*v); err != nil {
			return directoryBadRequest("Invalid value specified for property '" + name + "' of resource 'AppRoleAssignment'.")
		}
	}
	return nil
}

type appRoleAssignmentPage struct {
	ODataContext  string                  `json:"@odata.context"`
	ODataNextLink string                  `json:"@odata.nextLink,omitempty"`
	Value         []appRoleAssignmentBody `json:"value"`
}

// assignmentList answers one page of assignments that list reads in id
// order ($top 1–999, default 100, and $skiptoken).
func (a *API) assignmentList(w http.ResponseWriter, r *http.Request, context string, list func(after string, limit int) ([]assignment.Assignment, error)) error {
	q := routeQuery(r)
	top, err := directoryObjects.pageSize(q)
	if err != nil {
		return err
	}
	as, err := list(q.SkipToken, top+1)
	if err != nil {
		return err
	}
	page := appRoleAssignmentPage{ODataContext: context, Value: []appRoleAssignmentBody{}}
	if len(as) > top {
		as = as[:top]
		page.ODataNextLink = a.nextLink(r, as[len(as)-1].ID)
	}
	for _, x := range as {
		page.Value = append(page.Value, appRoleAssignmentOut(x))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// listAppRoleAssignedTo is GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo.
func (a *API) listAppRoleAssignedTo(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAssignedToRead...); err != nil {
		return err
	}
	app, err := a.servicePrincipalOf(r, c)
	if err != nil {
		return err
	}
	return a.assignmentList(w, r, servicePrincipalsContext+"('"+app.ServicePrincipalID+"')/appRoleAssignedTo",
		func(after string, limit int) ([]assignment.Assignment, error) {
			return a.deps.Assignments.ListForApp(r.Context(), c.TenantID, app.AppID, after, limit)
		})
}

// listPrincipalAssignments is GET /v1.0/users/{id}/appRoleAssignments and
// GET /v1.0/groups/{id}/appRoleAssignments: a user's list holds the
// assignments of the groups the user is a direct member of too, as
// Graph's does.
func (a *API) listPrincipalAssignments(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c Caller) error {
		if err := require(c, permPrincipalAssignmentsRead...); err != nil {
			return err
		}
		p, err := a.principalOf(r, c, kind)
		if err != nil {
			return err
		}
		base := "https://graph.microsoft.com/v1.0/$metadata#" + principalSegment(kind)
		return a.assignmentList(w, r, base+"('"+p.ID+"')/appRoleAssignments",
			func(after string, limit int) ([]assignment.Assignment, error) {
				return a.deps.Assignments.ListForPrincipal(r.Context(), c.TenantID, p.ID, after, limit)
			})
	}
}

func principalSegment(kind string) string {
	if kind == assignment.PrincipalGroup {
		return "groups"
	}
	return "users"
}

// principalOf reads the user or group the path names: a user of another
// kind of path, or another tenant's, is 404.
func (a *API) principalOf(r *http.Request, c Caller, kind string) (assignment.Principal, error) {
	id := r.PathValue("id")
	p, err := a.deps.Assignments.ResolvePrincipal(r.Context(), c.TenantID, id)
	if err == nil && p.Type != kind {
		err = store.ErrNotFound
	}
	if err != nil {
		return assignment.Principal{}, orObjectNotFound(err, id)
	}
	return p, nil
}

// errAlreadyAssigned is Graph's answer to a role the principal holds.
var errAlreadyAssigned = directoryBadRequest("Permission being assigned already exists on the object.")

// grant assigns in.AppRoleID of the service principal in.ResourceID to
// in.PrincipalID, answering 201 with the assignment and context.
func (a *API) grant(w http.ResponseWriter, r *http.Request, c Caller, in appRoleAssignmentIn, app assignment.App, context string) error {
	x, err := a.deps.Assignments.Assign(r.Context(), c.TenantID, app.AppID, *in.PrincipalID, *in.AppRoleID, a.actor(r, c))
	switch {
	case errors.Is(err, assignment.ErrAlreadyAssigned):
		return errAlreadyAssigned
	case errors.Is(err, assignment.ErrRoleNotFound):
		return directoryBadRequest("Permission being assigned was not found on application '" + app.ServicePrincipalID + "'.")
	case err != nil:
		return orObjectNotFound(err, *in.PrincipalID)
	}
	out := appRoleAssignmentOut(x)
	out.ODataContext = context
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// createAppRoleAssignedTo is POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo:
// resourceId must be the service principal's id.
func (a *API) createAppRoleAssignedTo(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAssignmentsWrite...); err != nil {
		return err
	}
	var in appRoleAssignmentIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	app, err := a.servicePrincipalOf(r, c)
	if err != nil {
		return err
	}
	if !strings.EqualFold(*in.ResourceID, app.ServicePrincipalID) {
		return directoryBadRequest("resourceId must be the id of the service principal '" + app.ServicePrincipalID + "' the request names.")
	}
	return a.grant(w, r, c, in, app, servicePrincipalsContext+"('"+app.ServicePrincipalID+"')/appRoleAssignedTo/$entity")
}

// createPrincipalAssignment is POST /v1.0/users/{id}/appRoleAssignments
// and POST /v1.0/groups/{id}/appRoleAssignments: principalId must be the
// path's user or group.
func (a *API) createPrincipalAssignment(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c Caller) error {
		if err := require(c, permAssignmentsWrite...); err != nil {
			return err
		}
		var in appRoleAssignmentIn
		if err := decode(w, r, &in); err != nil {
			return err
		}
		if err := in.check(); err != nil {
			return err
		}
		p, err := a.principalOf(r, c, kind)
		if err != nil {
			return err
		}
		if !strings.EqualFold(*in.PrincipalID, p.ID) {
			return directoryBadRequest("principalId must be the id of the " + strings.ToLower(kind) + " '" + p.ID + "' the request names.")
		}
		app, err := a.deps.Assignments.GetByServicePrincipal(r.Context(), c.TenantID, strings.ToLower(*in.ResourceID))
		if err != nil {
			return orObjectNotFound(err, *in.ResourceID)
		}
		in.PrincipalID = &p.ID
		return a.grant(w, r, c, in, app,
			"https://graph.microsoft.com/v1.0/$metadata#"+principalSegment(kind)+"('"+p.ID+"')/appRoleAssignments/$entity")
	}
}

// deleteAppRoleAssignedTo is DELETE
// /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignment}: 204; an
// assignment of another app is 404.
func (a *API) deleteAppRoleAssignedTo(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAssignmentsWrite...); err != nil {
		return err
	}
	app, err := a.servicePrincipalOf(r, c)
	if err != nil {
		return err
	}
	return a.unassign(w, r, c, func(x assignment.Assignment) bool { return x.AppID == app.AppID })
}

// deletePrincipalAssignment is DELETE /v1.0/users/{id}/appRoleAssignments/{assignment}
// and its groups twin: 204; an assignment made to another principal is 404.
func (a *API) deletePrincipalAssignment(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c Caller) error {
		if err := require(c, permAssignmentsWrite...); err != nil {
			return err
		}
		p, err := a.principalOf(r, c, kind)
		if err != nil {
			return err
		}
		return a.unassign(w, r, c, func(x assignment.Assignment) bool { return x.PrincipalID == p.ID })
	}
}

// unassign removes the path's assignment when it belongs where the path
// says (belongs).
func (a *API) unassign(w http.ResponseWriter, r *http.Request, c Caller, belongs func(assignment.Assignment) bool) error {
	id := r.PathValue("assignment")
	x, err := a.deps.Assignments.GetAssignment(r.Context(), c.TenantID, id)
	if err == nil && !belongs(x) {
		err = store.ErrNotFound
	}
	if err == nil {
		err = a.deps.Assignments.Unassign(r.Context(), c.TenantID, id, a.actor(r, c))
	}
	if err != nil {
		return orObjectNotFound(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAssignments adds the routes of service principals, applications
// and app role assignments. The alternate key (appId='…') reaches the
// {id} routes (alternateKey).
func (a *API) handleAssignments() {
	a.handle("GET "+servicePrincipalsPath, directoryObjects, a.listServicePrincipals,
		odata.OptFilter, odata.OptSelect, odata.OptTop, odata.OptSkipToken)
	a.handle("GET "+servicePrincipalsPath+"/{id}", directoryObjects, a.getServicePrincipal, odata.OptSelect)
	a.handle("PATCH "+servicePrincipalsPath+"/{id}", directoryObjects, a.patchServicePrincipal)
	a.handle("GET "+servicePrincipalsPath+"/{id}/appRoleAssignedTo", directoryObjects, a.listAppRoleAssignedTo, odata.OptTop, odata.OptSkipToken)
	a.handle("POST "+servicePrincipalsPath+"/{id}/appRoleAssignedTo", directoryObjects, a.createAppRoleAssignedTo)
	a.handle("DELETE "+servicePrincipalsPath+"/{id}/appRoleAssignedTo/{assignment}", directoryObjects, a.deleteAppRoleAssignedTo)
	a.handle("GET "+applicationsPath+"/{id}", directoryObjects, a.getApplication, odata.OptSelect)
	a.handle("PATCH "+applicationsPath+"/{id}", directoryObjects, a.patchApplication)
	for _, p := range []struct{ path, kind string }{{"/v1.0/users", assignment.PrincipalUser}, {groupsPath, assignment.PrincipalGroup}} {
		a.handle("GET "+p.path+"/{id}/appRoleAssignments", directoryObjects, a.listPrincipalAssignments(p.kind), odata.OptTop, odata.OptSkipToken)
		a.handle("POST "+p.path+"/{id}/appRoleAssignments", directoryObjects, a.createPrincipalAssignment(p.kind))
		a.handle("DELETE "+p.path+"/{id}/appRoleAssignments/{assignment}", directoryObjects, a.deletePrincipalAssignment(p.kind))
	}
}

// AppRoleAssignmentJSON is assignment x as Graph answers it (what the
// CLI prints with --output json).
func AppRoleAssignmentJSON(x assignment.Assignment) any { return appRoleAssignmentOut(x) }

// AppRoleAssignmentsJSON is a page of assignments as
// GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo answers it.
func AppRoleAssignmentsJSON(spID string, xs []assignment.Assignment) any {
	page := appRoleAssignmentPage{ODataContext: servicePrincipalsContext + "('" + spID + "')/appRoleAssignedTo", Value: []appRoleAssignmentBody{}}
	for _, x := range xs {
		page.Value = append(page.Value, appRoleAssignmentOut(x))
	}
	return page
}

// ServicePrincipalJSON is app's service principal as
// GET /v1.0/servicePrincipals/{id} answers it, without the redirect URIs
// (what the CLI prints with --output json).
func ServicePrincipalJSON(app assignment.App) any {
	out := servicePrincipalOut(app, oidc.App{})
	out.ODataContext = servicePrincipalsContext + "/$entity"
	return out
}
