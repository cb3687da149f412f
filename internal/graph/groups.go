package graph

import (
	"context"
	"errors"
	"net/http"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

const (
	groupsPath          = "/v1.0/groups"
	groupsContext       = "https://graph.microsoft.com/v1.0/$metadata#groups"
	groupEntityContext  = groupsContext + "/$entity"
	directoryObjectsCtx = "https://graph.microsoft.com/v1.0/$metadata#directoryObjects"
)

// Groups is what the admin API asks of groups (groups.Service has it).
type Groups interface {
	Create(ctx context.Context, tenantID string, in groups.Input, by audit.Actor) (groups.Group, error)
	Get(ctx context.Context, tenantID, id string) (groups.Group, error)
	List(ctx context.Context, tenantID, afterID string, limit int) ([]groups.Group, error)
	Query(ctx context.Context, tenantID string, q groups.Query) ([]groups.Group, error)
	Count(ctx context.Context, tenantID string, q groups.Query) (int, error)
	Update(ctx context.Context, tenantID, id string, p groups.Patch, by audit.Actor) (groups.Group, error)
	Delete(ctx context.Context, tenantID, id string, by audit.Actor) error
	GetDeleted(ctx context.Context, tenantID, id string) (groups.Group, error)
	ListDeleted(ctx context.Context, tenantID, afterID string, limit int) ([]groups.Group, error)
	Restore(ctx context.Context, tenantID, id string, by audit.Actor) (groups.Group, error)
	Purge(ctx context.Context, tenantID, id string, by audit.Actor) error
	AddMember(ctx context.Context, tenantID, groupID, memberID string, by audit.Actor) error
	RemoveMember(ctx context.Context, tenantID, groupID, memberID string, by audit.Actor) error
	Members(ctx context.Context, tenantID, groupID, afterID string, limit int) ([]groups.Object, error)
	MemberOf(ctx context.Context, tenantID, memberID, afterID string, limit int) ([]groups.Group, error)
	TransitiveMemberOf(ctx context.Context, tenantID, memberID string) ([]groups.Group, error)
	CheckMemberGroups(ctx context.Context, tenantID, memberID string, wanted []string) ([]string, error)
}

// Permissions of group routes (Graph's; the broader imply the narrower).
var (
	permGroupsRead   = []string{roles.GroupReadAll, roles.GroupReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	permGroupsWrite  = []string{roles.GroupReadWriteAll, roles.DirectoryReadWriteAll}
	permMembersRead  = []string{roles.GroupMemberReadAll, roles.GroupMemberReadWriteAll, roles.GroupReadAll, roles.GroupReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	permMembersWrite = []string{roles.GroupMemberReadWriteAll, roles.GroupReadWriteAll, roles.DirectoryReadWriteAll}
	// deletedItems holds users and groups: reading, restoring or purging one needs
	// the permission of its kind, and one of these to get that far.
	permDeletedRead    = []string{roles.UserReadAll, roles.UserReadWriteAll, roles.GroupReadAll, roles.GroupReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	permDeletedRestore = []string{roles.UserDeleteRestoreAll, roles.UserReadWriteAll, roles.GroupReadWriteAll, roles.DirectoryReadWriteAll}
)

// groupBody is Graph's group resource as a security group answers it: the
// properties guestgate keeps, and the others of Graph's default set as
// their values for a security group that is neither mail-enabled, dynamic,
// synchronised nor a Microsoft 365 group.
type groupBody struct {
	ODataContext                  string   `json:"@odata.context,omitempty"`
	ODataType                     string   `json:"@odata.type,omitempty"`
	ID                            string   `json:"id"`
	DeletedDateTime               *string  `json:"deletedDateTime"`
	Classification                *string  `json:"classification"`
	CreatedDateTime               string   `json:"createdDateTime"`
	CreationOptions               []string `json:"creationOptions"`
	Description                   *string  `json:"description"`
	DisplayName                   string   `json:"displayName"`
	ExpirationDateTime            *string  `json:"expirationDateTime"`
	GroupTypes                    []string `json:"groupTypes"`
	IsAssignableToRole            *bool    `json:"isAssignableToRole"`
	Mail                          *string  `json:"mail"`
	MailEnabled                   bool     `json:"mailEnabled"`
	MailNickname                  string   `json:"mailNickname"`
	MembershipRule                *string  `json:"membershipRule"`
	MembershipRuleProcessingState *string  `json:"membershipRuleProcessingState"`
	OnPremisesDomainName          *string  `json:"onPremisesDomainName"`
	OnPremisesLastSyncDateTime    *string  `json:"onPremisesLastSyncDateTime"`
	OnPremisesSamAccountName      *string  `json:"onPremisesSamAccountName"`
	OnPremisesSecurityIdentifier  *string  `json:"onPremisesSecurityIdentifier"`
	OnPremisesSyncEnabled         *bool    `json:"onPremisesSyncEnabled"`
	PreferredDataLocation         *string  `json:"preferredDataLocation"`
	PreferredLanguage             *string  `json:"preferredLanguage"`
	ProxyAddresses                []string `json:"proxyAddresses"`
	RenewedDateTime               string   `json:"renewedDateTime"`
	ResourceBehaviorOptions       []string `json:"resourceBehaviorOptions"`
	ResourceProvisioningOptions   []string `json:"resourceProvisioningOptions"`
	SecurityEnabled               bool     `json:"securityEnabled"`
	SecurityIdentifier            any      `json:"securityIdentifier"`
	Theme                         *string  `json:"theme"`
	Visibility                    *string  `json:"visibility"`
}

func groupOut(g groups.Group) groupBody {
	created := g.CreatedAt.UTC().Format(graphTime)
	out := groupBody{
		ID: g.ID, CreatedDateTime: created, CreationOptions: []string{}, Description: nilIfEmpty(g.Description),
		DisplayName: g.DisplayName, GroupTypes: []string{}, MailNickname: g.MailNickname, ProxyAddresses: []string{},
		RenewedDateTime: created, ResourceBehaviorOptions: []string{}, ResourceProvisioningOptions: []string{},
		SecurityEnabled: true, SecurityIdentifier: securityIdentifier(directory.User{ID: g.ID}, ""),
	}
	if g.Deleted() {
		out.DeletedDateTime = nilIfEmpty(g.DeletedAt.UTC().Format(graphTime))
	}
	return out
}

// groupIn is the body of POST /v1.0/groups. Graph requires displayName,
// mailEnabled, mailNickname and securityEnabled; guestgate keeps security
// groups only (mailEnabled false, securityEnabled true, no groupTypes).
type groupIn struct {
	ODataType       string    `json:"@odata.type"`
	DisplayName     *string   `json:"displayName"`
	Description     *string   `json:"description"`
	MailNickname    *string   `json:"mailNickname"`
	MailEnabled     *bool     `json:"mailEnabled"`
	SecurityEnabled *bool     `json:"securityEnabled"`
	GroupTypes      *[]string `json:"groupTypes"`
	// MembersBind are @odata.id references of the first members (create only).
	MembersBind []string `json:"members@odata.bind"`
}

// errGroupKind answers a group guestgate does not keep.
var errGroupKind = directoryBadRequest("Only security groups can be created here: mailEnabled must be false, securityEnabled true and groupTypes empty.")

func groupProperty(p string) *Error {
	return directoryBadRequest("Invalid value specified for property '" + p + "' of resource 'Group'.")
}

func (in groupIn) check(create bool) error {
	if in.ODataType != "" && in.ODataType != "#microsoft.graph.group" && in.ODataType != "microsoft.graph.group" {
		return directoryBadRequest("The @odata.type of a group must be '#microsoft.graph.group'.")
	}
	if create {
		for p, v := range map[string]bool{"displayName": in.DisplayName == nil, "mailNickname": in.MailNickname == nil,
			"mailEnabled": in.MailEnabled == nil, "securityEnabled": in.SecurityEnabled == nil} {
			if v {
				return groupProperty(p)
			}
		}
	}
	if !create && in.MembersBind != nil {
		return directoryBadRequest("members@odata.bind is taken when a group is created; add members with members/$ref.")
	}
	if in.MailEnabled != nil && *in.MailEnabled || in.SecurityEnabled != nil && !*in.SecurityEnabled ||
		in.GroupTypes != nil && len(*in.GroupTypes) > 0 {
		return errGroupKind
	}
	return nil
}

// createGroup is POST /v1.0/groups: 201 with the new group.
func (a *API) createGroup(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permGroupsWrite...); err != nil {
		return err
	}
	var in groupIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(true); err != nil {
		return err
	}
	create := groups.Input{DisplayName: deref(in.DisplayName), Description: deref(in.Description), MailNickname: deref(in.MailNickname)}
	for _, ref := range in.MembersBind {
		id, err := a.refID(ref)
		if err != nil {
			return err
		}
		create.MemberIDs = append(create.MemberIDs, id)
	}
	g, err := a.deps.Groups.Create(r.Context(), c.TenantID, create, a.actor(r, c))
	if errors.Is(err, store.ErrAlreadyExists) {
		return errAlreadyMember
	}
	if errors.Is(err, store.ErrNotFound) {
		return badRequest("Invalid object identifier in members@odata.bind: every member must be a user or a group of this organization.")
	}
	if err != nil {
		return err
	}
	out := groupOut(g)
	out.ODataContext = groupEntityContext
	w.Header().Set("Location", a.deps.BaseURL+groupsPath+"/"+g.ID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// getGroup is GET /v1.0/groups/{id} with $select.
func (a *API) getGroup(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permGroupsRead...); err != nil {
		return err
	}
	sel, err := structSelect(directoryObjects, groupBody{}, "microsoft.graph.group", routeQuery(r).Select)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	g, err := a.deps.Groups.Get(r.Context(), c.TenantID, id)
	if err != nil {
		return orObjectNotFound(err, id)
	}
	writeGroup(w, http.StatusOK, g, sel, selectContext(groupsContext, sel)+"/$entity")
	return nil
}

func writeGroup(w http.ResponseWriter, status int, g groups.Group, sel []string, context string) {
	if sel != nil {
		writeJSON(w, status, selectObject(groupOut(g), sel, context))
		return
	}
	out := groupOut(g)
	out.ODataContext = context
	writeJSON(w, status, out)
}

type groupPage struct {
	ODataContext  string `json:"@odata.context"`
	ODataCount    *int   `json:"@odata.count,omitempty"`
	ODataNextLink string `json:"@odata.nextLink,omitempty"`
	Value         []any  `json:"value"`
}

// listGroups is GET /v1.0/groups with $filter, $search, $orderby,
// $count, $select, $top (1–999, default 100) and $skiptoken
// (groups_query.go).
func (a *API) listGroups(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permGroupsRead...); err != nil {
		return err
	}
	req, err := mapGroupsQuery(routeQuery(r), eventual(r))
	if err != nil {
		return err
	}
	gs, err := a.deps.Groups.Query(r.Context(), c.TenantID, req.query)
	if err != nil {
		return err
	}
	page := groupPage{ODataContext: selectContext(groupsContext, req.sel), Value: []any{}}
	if req.count {
		n, err := a.deps.Groups.Count(r.Context(), c.TenantID, req.query)
		if err != nil {
			return err
		}
		page.ODataCount = &n
	}
	if len(gs) > req.top {
		gs = gs[:req.top]
		page.ODataNextLink = a.nextLink(r, groupSkipToken(gs[len(gs)-1], req.query.ByName))
	}
	for _, g := range gs {
		page.Value = append(page.Value, groupItem(g, req.sel))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// groupItem is a group of a list, with its @odata.type, or the
// selected properties.
func groupItem(g groups.Group, sel []string) any {
	out := groupOut(g)
	out.ODataType = "#microsoft.graph.group"
	if sel != nil {
		return selectObject(out, sel, "")
	}
	return out
}

// groupList answers one page of groups that list reads in id order.
func (a *API) groupList(w http.ResponseWriter, r *http.Request, context string, list func(after string, limit int) ([]groups.Group, error)) error {
	q := routeQuery(r)
	top, err := directoryObjects.pageSize(q)
	if err != nil {
		return err
	}
	sel, err := structSelect(directoryObjects, groupBody{}, "microsoft.graph.group", q.Select)
	if err != nil {
		return err
	}
	gs, err := list(q.SkipToken, top+1)
	if err != nil {
		return err
	}
	page := groupPage{ODataContext: selectContext(context, sel), Value: []any{}}
	if len(gs) > top {
		gs = gs[:top]
		page.ODataNextLink = a.nextLink(r, gs[len(gs)-1].ID)
	}
	for _, g := range gs {
		page.Value = append(page.Value, groupItem(g, sel))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// patchGroup is PATCH /v1.0/groups/{id}: 204.
func (a *API) patchGroup(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permGroupsWrite...); err != nil {
		return err
	}
	var in groupIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(false); err != nil {
		return err
	}
	id := r.PathValue("id")
	_, err := a.deps.Groups.Update(r.Context(), c.TenantID, id,
		groups.Patch{DisplayName: in.DisplayName, Description: in.Description, MailNickname: in.MailNickname}, a.actor(r, c))
	if err != nil {
		return orObjectNotFound(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteGroup is DELETE /v1.0/groups/{id}: 204; the group goes to
// directory/deletedItems, restorable with its members.
func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permGroupsWrite...); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.deps.Groups.Delete(r.Context(), c.TenantID, id, a.actor(r, c)); err != nil {
		return orObjectNotFound(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listDeletedGroups is GET /v1.0/directory/deletedItems/microsoft.graph.group.
func (a *API) listDeletedGroups(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permGroupsRead...); err != nil {
		return err
	}
	return a.groupList(w, r, "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.group",
		func(after string, limit int) ([]groups.Group, error) {
			return a.deps.Groups.ListDeleted(r.Context(), c.TenantID, after, limit)
		})
}

// deletedGroup reads the caller's deleted group id for getDeletedItem and
// restoreDeletedItem; found is false when id is no deleted group.
func (a *API) deletedGroup(ctx context.Context, c Caller, id string) (groups.Group, bool, error) {
	g, err := a.deps.Groups.GetDeleted(ctx, c.TenantID, id)
	if errors.Is(err, store.ErrNotFound) {
		return groups.Group{}, false, nil
	}
	return g, err == nil, err
}

// orObjectNotFound is Graph's 404 for a directory object id.
func orObjectNotFound(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound("Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.")
	}
	return err
}

// restoreGroup answers the restore of deleted group id: 200 with the group.
func (a *API) restoreGroup(w http.ResponseWriter, r *http.Request, c Caller, id string) error {
	if err := require(c, permGroupsWrite...); err != nil {
		return err
	}
	g, err := a.deps.Groups.Restore(r.Context(), c.TenantID, id, a.actor(r, c))
	if err != nil {
		return orObjectNotFound(err, id)
	}
	out := groupOut(g)
	out.ODataContext, out.ODataType = "https://graph.microsoft.com/v1.0/$metadata#directoryObjects/$entity", "#microsoft.graph.group"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GroupJSON is group g as GET /v1.0/groups/{id} answers it (what
// `guestgate group create --output json` prints).
func GroupJSON(g groups.Group) any {
	out := groupOut(g)
	out.ODataContext = groupEntityContext
	return out
}

// GroupsJSON is a page of groups as GET /v1.0/groups answers it (what
// `guestgate group list --output json` prints).
func GroupsJSON(gs []groups.Group) any {
	page := groupPage{ODataContext: groupsContext, Value: []any{}}
	for _, g := range gs {
		page.Value = append(page.Value, groupOut(g))
	}
	return page
}
