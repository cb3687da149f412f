package console

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/store"
)

// setAssignmentRequired saves the "Assignment required?" switch.
func (h *Handler) setAssignmentRequired(w http.ResponseWriter, r *http.Request, a admin) {
	app, ok := h.loadApp(w, r, a)
	if !ok {
		return
	}
	v := r.PostFormValue("required")
	if v != "true" && v != "false" {
		h.refused(w, r, a)
		return
	}
	_, err := h.d.Assignments.SetRequired(r.Context(), a.Tenant.ID, app.AppID, v == "true", a.actor())
	h.appChanged(w, r, a, app, "required", err)
}

// setGroupsClaim saves the groups claim switch: None or security groups.
func (h *Handler) setGroupsClaim(w http.ResponseWriter, r *http.Request, a admin) {
	app, ok := h.loadApp(w, r, a)
	if !ok {
		return
	}
	v := r.PostFormValue("groupsClaim")
	if v != assignment.ClaimsNone && v != assignment.ClaimsSecurityGroup {
		h.refused(w, r, a)
		return
	}
	_, err := h.d.Assignments.SetGroupClaims(r.Context(), a.Tenant.ID, app.AppID, v, a.actor())
	h.appChanged(w, r, a, app, "claims", err)
}

// errAmbiguous: a group name several groups have.
var errAmbiguous = errors.New("several groups have that name")

// addAssignment assigns the user (by user principal name, mail or object
// id) or the group (by object id, mail nickname or name) of the member's
// tenant the chosen role; the default access role when the app has none.
func (h *Handler) addAssignment(w http.ResponseWriter, r *http.Request, a admin) {
	app, ok := h.loadApp(w, r, a)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("principal"))
	var id string
	var err error
	switch r.PostFormValue("kind") {
	case "user":
		var u directory.User
		u, err = h.assignedUser(r.Context(), a.Tenant.ID, name)
		id = u.ID
	case "group":
		var g groups.Group
		g, err = h.assignedGroup(r.Context(), a.Tenant.ID, name)
		id = g.ID
	default:
		h.refused(w, r, a)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		h.messagePage(w, r, a, http.StatusNotFound, "console.app.no_principal_title", i18n.T(lang(r), "console.app.no_principal"))
		return
	}
	if err == nil {
		role := r.PostFormValue("role")
		if len(app.AppRoles) == 0 {
			role = assignment.DefaultAccessRoleID
		}
		_, err = h.d.Assignments.Assign(r.Context(), a.Tenant.ID, app.AppID, id, role, a.actor())
	}
	h.appChanged(w, r, a, app, "assigned", err)
}

// assignedUser finds the tenant's user by object id, user principal name
// or mail.
func (h *Handler) assignedUser(ctx context.Context, tenantID, name string) (directory.User, error) {
	u, err := h.userByName(ctx, tenantID, name)
	if !errors.Is(err, store.ErrNotFound) || name == "" {
		return u, err
	}
	return h.d.Directory.GetUser(ctx, tenantID, name)
}

// assignedGroup finds the tenant's live group by object id, else by mail
// nickname or name (one group only).
func (h *Handler) assignedGroup(ctx context.Context, tenantID, name string) (groups.Group, error) {
	if name == "" {
		return groups.Group{}, store.ErrNotFound
	}
	g, err := h.d.Groups.Get(ctx, tenantID, name)
	if !errors.Is(err, store.ErrNotFound) {
		return g, err
	}
	for _, field := range []string{groups.FieldMailNickname, groups.FieldDisplayName} {
		gs, err := h.d.Groups.Query(ctx, tenantID, groups.Query{Filter: []groups.Clause{{Field: field, Op: groups.OpEq, Values: []string{name}}}, Limit: 2})
		switch {
		case err != nil:
			return groups.Group{}, err
		case len(gs) == 1:
			return gs[0], nil
		case len(gs) > 1:
			return groups.Group{}, errAmbiguous
		}
	}
	return groups.Group{}, store.ErrNotFound
}

// removeAssignment removes the posted assignment of the app (another
// app's or another tenant's is the 404 page).
func (h *Handler) removeAssignment(w http.ResponseWriter, r *http.Request, a admin) {
	app, ok := h.loadApp(w, r, a)
	if !ok {
		return
	}
	found, err := h.d.Assignments.GetAssignment(r.Context(), a.Tenant.ID, r.PostFormValue("assignment"))
	if err == nil && found.AppID != app.AppID {
		err = store.ErrNotFound
	}
	if err == nil {
		err = h.d.Assignments.Unassign(r.Context(), a.Tenant.ID, found.ID, a.actor())
	}
	h.appChanged(w, r, a, app, "removed", err)
}

// appChanged answers a change of the app: back to its "Users and
// groups", or the page that says why not.
func (h *Handler) appChanged(w http.ResponseWriter, r *http.Request, a admin, app assignment.App, done string, err error) {
	l := lang(r)
	switch {
	case err == nil:
		http.Redirect(w, r, base(a.Tenant)+"/apps/"+app.AppID+"?done="+done+"#users-groups", http.StatusSeeOther)
	case errors.Is(err, assignment.ErrAlreadyAssigned):
		h.messagePage(w, r, a, http.StatusBadRequest, "console.refused.title", i18n.T(l, "console.app.already_assigned"))
	case errors.Is(err, assignment.ErrRoleNotFound):
		h.messagePage(w, r, a, http.StatusBadRequest, "console.refused.title", i18n.T(l, "console.app.bad_role"))
	case errors.Is(err, errAmbiguous):
		h.messagePage(w, r, a, http.StatusBadRequest, "console.refused.title", i18n.T(l, "console.app.ambiguous"))
	case errors.Is(err, store.ErrNotFound):
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
	default:
		h.fail(w, r, err)
	}
}

// refused is the 400 page of a form whose values no page offers.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, a admin) {
	h.messagePage(w, r, a, http.StatusBadRequest, "console.refused.title")
}
