package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// The "Groups" pages list the tenant's security groups, create one, and
// show a group's members with "Add a member" and "Remove". Every change
// goes through the groups service the admin API uses, as the signed-in
// member, so its rules and audit records are the API's; the changes table
// gates them with the permissions Graph asks (Group.ReadWrite.All to
// create, GroupMember.ReadWrite.All for members, which every role that
// grants Group.ReadWrite.All grants too).

// Groups is what the console asks of groups (groups.Service has it).
type Groups interface {
	Create(ctx context.Context, tenantID string, in groups.Input, by audit.Actor) (groups.Group, error)
	Get(ctx context.Context, tenantID, id string) (groups.Group, error)
	List(ctx context.Context, tenantID, afterID string, limit int) ([]groups.Group, error)
	Query(ctx context.Context, tenantID string, q groups.Query) ([]groups.Group, error)
	AddMember(ctx context.Context, tenantID, groupID, memberID string, by audit.Actor) error
	RemoveMember(ctx context.Context, tenantID, groupID, memberID string, by audit.Actor) error
	Members(ctx context.Context, tenantID, groupID, afterID string, limit int) ([]groups.Object, error)
	MemberOf(ctx context.Context, tenantID, memberID, afterID string, limit int) ([]groups.Group, error)
}

// groupsPerPage bounds a page of groups or of a group's members.
const groupsPerPage = 50

type groupsData struct {
	Groups    []groups.Group
	CanCreate bool
	NextURL   string
}

// groupsList is the list of the tenant's groups, by id, a page at a time.
func (h *Handler) groupsList(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.GroupReadAll) {
		h.forbidden(w, r, a)
		return
	}
	list, err := h.d.Groups.List(r.Context(), a.Tenant.ID, r.URL.Query().Get("after"), groupsPerPage+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "groups", "console.groups.title")
	d := groupsData{CanCreate: a.may(roles.GroupReadWriteAll)}
	if len(list) > groupsPerPage {
		list = list[:groupsPerPage]
		d.NextURL = v.Base + "/groups?" + url.Values{"after": {list[len(list)-1].ID}}.Encode()
	}
	d.Groups = list
	v.Data = d
	h.render(w, r, http.StatusOK, "groups", v)
}

// groupForm is the create form's fields.
type groupForm struct {
	DisplayName, Description, MailNickname string
}

// newGroupPage is the create form.
func (h *Handler) newGroupPage(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.GroupReadWriteAll) {
		h.forbidden(w, r, a)
		return
	}
	h.groupFormPage(w, r, a, http.StatusOK, groupForm{}, "")
}

func (h *Handler) groupFormPage(w http.ResponseWriter, r *http.Request, a admin, status int, f groupForm, errText string) {
	v := h.newView(w, r, a, "groups", "console.groups.new_title")
	v.Error = errText
	v.Data = f
	h.render(w, r, status, "group_new", v)
}

// createGroup creates the group as the member and opens its page; a
// property the service refuses shows the form again with the reason.
func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, a admin) {
	f := groupForm{DisplayName: strings.TrimSpace(r.PostFormValue("displayName")),
		Description: strings.TrimSpace(r.PostFormValue("description")), MailNickname: strings.TrimSpace(r.PostFormValue("mailNickname"))}
	g, err := h.d.Groups.Create(r.Context(), a.Tenant.ID, groups.Input{DisplayName: f.DisplayName, Description: f.Description, MailNickname: f.MailNickname}, a.actor())
	if key, ok := groupInputError(err); ok {
		h.groupFormPage(w, r, a, http.StatusBadRequest, f, i18n.T(lang(r), key))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base(a.Tenant)+"/groups/"+g.ID+"?done=created", http.StatusSeeOther)
}

// groupInputError names the message of a property the service refused.
func groupInputError(err error) (string, bool) {
	for e, key := range map[error]string{groups.ErrDisplayName: "console.groups.err_display_name",
		groups.ErrMailNickname: "console.groups.err_mail_nickname", groups.ErrDescription: "console.groups.err_description"} {
		if errors.Is(err, e) {
			return key, true
		}
	}
	return "", false
}

type groupData struct {
	G         groups.Group
	Members   []groups.Object
	CanChange bool
	NextURL   string
}

// group is a group's page: its properties and direct members.
func (h *Handler) group(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.GroupMemberReadAll) {
		h.forbidden(w, r, a)
		return
	}
	g, ok := h.loadGroup(w, r, a)
	if !ok {
		return
	}
	ms, err := h.d.Groups.Members(r.Context(), a.Tenant.ID, g.ID, r.URL.Query().Get("after"), groupsPerPage+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "groups", "console.group.title", g.DisplayName)
	d := groupData{G: g, CanChange: a.may(roles.GroupMemberReadWriteAll)}
	if len(ms) > groupsPerPage {
		ms = ms[:groupsPerPage]
		d.NextURL = v.Base + "/groups/" + g.ID + "?" + url.Values{"after": {ms[len(ms)-1].ID}}.Encode()
	}
	d.Members = ms
	if done := r.URL.Query().Get("done"); done == "created" || done == "added" || done == "removed" {
		v.Notice = i18n.T(v.Lang, "console.group.done_"+done)
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "group", v)
}

// loadGroup reads the path's group of the member's tenant (the 404 page
// otherwise, another tenant's group included).
func (h *Handler) loadGroup(w http.ResponseWriter, r *http.Request, a admin) (groups.Group, bool) {
	g, err := h.d.Groups.Get(r.Context(), a.Tenant.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
		return g, false
	}
	if err != nil {
		h.fail(w, r, err)
		return g, false
	}
	return g, true
}

// addGroupMember adds the tenant's user named by userPrincipalName or
// mail; a name no user of the tenant has is refused.
func (h *Handler) addGroupMember(w http.ResponseWriter, r *http.Request, a admin) {
	g, ok := h.loadGroup(w, r, a)
	if !ok {
		return
	}
	u, err := h.userByName(r.Context(), a.Tenant.ID, strings.TrimSpace(r.PostFormValue("user")))
	if errors.Is(err, store.ErrNotFound) {
		h.messagePage(w, r, a, http.StatusNotFound, "console.group.no_user_title", i18n.T(lang(r), "console.group.no_user"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.memberChanged(w, r, a, g, "added", h.d.Groups.AddMember(r.Context(), a.Tenant.ID, g.ID, u.ID, a.actor()))
}

// userByName finds the tenant's user by userPrincipalName, else by mail.
func (h *Handler) userByName(ctx context.Context, tenantID, name string) (directory.User, error) {
	if name == "" {
		return directory.User{}, store.ErrNotFound
	}
	u, err := h.d.Directory.GetUserByUPN(ctx, tenantID, name)
	if !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	return h.d.Directory.GetUserByMail(ctx, tenantID, name)
}

// removeGroupMember takes the posted member out of the group.
func (h *Handler) removeGroupMember(w http.ResponseWriter, r *http.Request, a admin) {
	g, ok := h.loadGroup(w, r, a)
	if !ok {
		return
	}
	h.memberChanged(w, r, a, g, "removed", h.d.Groups.RemoveMember(r.Context(), a.Tenant.ID, g.ID, r.PostFormValue("member"), a.actor()))
}

// memberChanged answers a member change: back to the group's page, or the
// page that says why not.
func (h *Handler) memberChanged(w http.ResponseWriter, r *http.Request, a admin, g groups.Group, done string, err error) {
	switch {
	case err == nil:
		http.Redirect(w, r, base(a.Tenant)+"/groups/"+g.ID+"?done="+done, http.StatusSeeOther)
	case errors.Is(err, store.ErrAlreadyExists):
		h.messagePage(w, r, a, http.StatusBadRequest, "console.refused.title", i18n.T(lang(r), "console.group.already_member"))
	case errors.Is(err, store.ErrNotFound):
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
	case errors.Is(err, roles.ErrPrivilegedTarget):
		h.messagePage(w, r, a, http.StatusForbidden, "console.forbidden.title", i18n.T(lang(r), "console.forbidden.explain"))
	default:
		h.fail(w, r, err)
	}
}

// userGroups are the groups u is directly in, for the user's page (the
// first page of them; members read them as Graph's default permissions
// let them).
func (h *Handler) userGroups(r *http.Request, a admin, u directory.User) ([]groups.Group, error) {
	if h.d.Groups == nil || !a.may(roles.GroupMemberReadAll) {
		return nil, nil
	}
	return h.d.Groups.MemberOf(r.Context(), a.Tenant.ID, u.ID, "", groupsPerPage)
}
