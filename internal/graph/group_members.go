package graph

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

// memberRefIn is the body of POST /groups/{id}/members/$ref.
type memberRefIn struct {
	ODataID string `json:"@odata.id"`
}

// refID takes the object id out of an @odata.id: Graph's base
// (https://graph.microsoft.com/v1.0/) or this deployment's, then
// directoryObjects/, users/ or groups/ and the id.
func (a *API) refID(ref string) (string, error) {
	rest, ok := "", false
	for _, base := range []string{"https://graph.microsoft.com/v1.0/", a.deps.BaseURL + "/v1.0/"} {
		if len(ref) > len(base) && strings.EqualFold(ref[:len(base)], base) {
			rest, ok = ref[len(base):], true
			break
		}
	}
	if ok {
		seg, id, cut := strings.Cut(rest, "/")
		switch strings.ToLower(seg) {
		case "directoryobjects", "users", "groups":
			if cut && id != "" && !strings.Contains(id, "/") {
				return id, nil
			}
		}
	}
	return "", badRequest("Invalid URL format specified in @odata.id: '" + ref + "'. It must be https://graph.microsoft.com/v1.0/directoryObjects/{id}.")
}

// errAlreadyMember is Graph's answer to a member added twice.
var errAlreadyMember = directoryBadRequest("One or more added object references already exist for the following modified properties: 'members'.")

// addGroupMember is POST /v1.0/groups/{id}/members/$ref: 204.
func (a *API) addGroupMember(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permMembersWrite...); err != nil {
		return err
	}
	var in memberRefIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	memberID, err := a.refID(in.ODataID)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	err = a.deps.Groups.AddMember(r.Context(), c.TenantID, id, memberID, a.actor(r, c))
	if errors.Is(err, store.ErrAlreadyExists) {
		return errAlreadyMember
	}
	if err != nil {
		return orObjectNotFound(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeGroupMember is DELETE /v1.0/groups/{id}/members/{member}/$ref: 204.
func (a *API) removeGroupMember(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permMembersWrite...); err != nil {
		return err
	}
	id, member := r.PathValue("id"), r.PathValue("member")
	if err := a.deps.Groups.RemoveMember(r.Context(), c.TenantID, id, member, a.actor(r, c)); err != nil {
		return orObjectNotFound(err, member)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// directoryObjectOut is a member as Graph lists directory objects: a user
// or a group with its @odata.type.
func (a *API) directoryObjectOut(r *http.Request, tenantID, initialDomain string, o groups.Object) (any, error) {
	if o.Type == groups.MemberGroup {
		g, err := a.deps.Groups.Get(r.Context(), tenantID, o.ID)
		if err != nil {
			return nil, err
		}
		out := groupOut(g)
		out.ODataType = "#microsoft.graph.group"
		return out, nil
	}
	u, err := a.deps.Directory.GetUser(r.Context(), tenantID, o.ID)
	if err != nil {
		return nil, err
	}
	return restoredUserBody{ODataType: "#microsoft.graph.user", userBody: userOut(u, initialDomain)}, nil
}

// listGroupMembers is GET /v1.0/groups/{id}/members with $top (1–999,
// default 100) and $skiptoken: users and groups, by id.
func (a *API) listGroupMembers(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permMembersRead...); err != nil {
		return err
	}
	q := routeQuery(r)
	top, err := directoryObjects.pageSize(q)
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	ms, err := a.deps.Groups.Members(r.Context(), t.ID, id, q.SkipToken, top+1)
	if err != nil {
		return orObjectNotFound(err, id)
	}
	page := groupPage{ODataContext: directoryObjectsCtx, Value: []any{}}
	if len(ms) > top {
		ms = ms[:top]
		page.ODataNextLink = a.nextLink(r, ms[len(ms)-1].ID)
	}
	for _, m := range ms {
		o, err := a.directoryObjectOut(r, t.ID, t.InitialDomain, m)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted while the page was read
		}
		if err != nil {
			return err
		}
		page.Value = append(page.Value, o)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// userExists answers 404 unless id is a user of the caller's tenant.
func (a *API) userExists(r *http.Request, c Caller, id string) error {
	if _, err := a.deps.Directory.GetUser(r.Context(), c.TenantID, id); err != nil {
		return orObjectNotFound(err, id)
	}
	return nil
}

// listMemberOf is GET /v1.0/users/{id}/memberOf with $top and $skiptoken:
// the groups the user is directly in.
func (a *API) listMemberOf(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permMembersRead...); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.userExists(r, c, id); err != nil {
		return err
	}
	return a.groupList(w, r, directoryObjectsCtx, func(after string, limit int) ([]groups.Group, error) {
		return a.deps.Groups.MemberOf(r.Context(), c.TenantID, id, after, limit)
	})
}

// listTransitiveMemberOf is GET /v1.0/users/{id}/transitiveMemberOf: the
// groups the user is in, directly or through nested groups, nearest first.
func (a *API) listTransitiveMemberOf(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permMembersRead...); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.userExists(r, c, id); err != nil {
		return err
	}
	gs, err := a.deps.Groups.TransitiveMemberOf(r.Context(), c.TenantID, id)
	if err != nil {
		return err
	}
	page := groupPage{ODataContext: directoryObjectsCtx, Value: []any{}}
	for _, g := range gs {
		out := groupOut(g)
		out.ODataType = "#microsoft.graph.group"
		page.Value = append(page.Value, out)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// maxCheckGroups is how many group ids checkMemberGroups takes (Graph's limit).
const maxCheckGroups = 20

type checkGroupsIn struct {
	GroupIDs []string `json:"groupIds"`
}

// checkMemberGroups is POST /v1.0/users/{id}/checkMemberGroups: which of
// up to 20 groupIds the user is in, directly or transitively.
func (a *API) checkMemberGroups(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permMembersRead...); err != nil {
		return err
	}
	var in checkGroupsIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.GroupIDs == nil || len(in.GroupIDs) > maxCheckGroups {
		return badRequest("groupIds must list between 0 and 20 group ids.")
	}
	id := r.PathValue("id")
	if err := a.userExists(r, c, id); err != nil {
		return err
	}
	got, err := a.deps.Groups.CheckMemberGroups(r.Context(), c.TenantID, id, in.GroupIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)", "value": got})
	return nil
}

// memberObjectsIn is Graph's getMemberObjects body. Every group of
// guestgate is a security group, so securityEnabledOnly changes nothing;
// directory roles, which Graph adds when it is false, are not listed.
type memberObjectsIn struct {
	SecurityEnabledOnly *bool `json:"securityEnabledOnly"`
}

// getMemberObjects is POST /v1.0/users/{id}/getMemberObjects: the ids of
// the groups the user is in, directly or through nested groups. A token's
// groups overage claim points here (R16).
func (a *API) getMemberObjects(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permMembersRead...); err != nil {
		return err
	}
	return a.memberObjects(w, r, c, r.PathValue("id"))
}

// getMyMemberObjects is POST /v1.0/me/getMemberObjects: getMemberObjects
// for the signed-in member, with a user read scope too (standing for
// Graph's User.Read, as at GET /v1.0/me).
func (a *API) getMyMemberObjects(w http.ResponseWriter, r *http.Request, c Caller) error {
	if !c.Delegated() {
		return errMeAppOnly
	}
	if err := require(c, append(slices.Clone(permMembersRead), permUsersRead...)...); err != nil {
		return err
	}
	return a.memberObjects(w, r, c, c.User.ID)
}

func (a *API) memberObjects(w http.ResponseWriter, r *http.Request, c Caller, id string) error {
	var in memberObjectsIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.SecurityEnabledOnly == nil {
		return badRequest("securityEnabledOnly is required.")
	}
	if err := a.userExists(r, c, id); err != nil {
		return err
	}
	gs, err := a.deps.Groups.TransitiveMemberOf(r.Context(), c.TenantID, id)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(gs))
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)", "value": ids})
	return nil
}
