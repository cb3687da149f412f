package graph

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/odata"
)

// deletedItemsPath is Graph's recycle bin of directory objects; guestgate
// keeps deleted users there.
const deletedItemsPath = "/v1.0/directory/deletedItems"

// deletedUserBody is a deleted user as Graph answers it: the user, its
// type and when it was deleted.
type deletedUserBody struct {
	ODataContext string `json:"@odata.context,omitempty"`
	ODataType    string `json:"@odata.type"`
	userBody
	DeletedDateTime string `json:"deletedDateTime"`
}

func deletedUserOut(d directory.DeletedUser, initialDomain string) deletedUserBody {
	return deletedUserBody{
		ODataType: "#microsoft.graph.user", userBody: userOut(d.User, initialDomain),
		DeletedDateTime: d.DeletedAt.UTC().Format(graphTime),
	}
}

type deletedUserPage struct {
	ODataContext  string `json:"@odata.context"`
	ODataCount    *int   `json:"@odata.count,omitempty"`
	ODataNextLink string `json:"@odata.nextLink,omitempty"`
	Value         []any  `json:"value"`
}

// deletedQuery maps the options of a deleted users' list to a store query.
// $orderby=deletedDateTime (asc or desc) is an advanced query on Graph
// (ConsistencyLevel: eventual and $count=true); other orders are refused
// as Graph refuses what it cannot sort. $count=true without the header is
// ignored, as Graph ignores it. The $skiptoken of a page in deletion-time
// order is "<deletedDateTime in unix microseconds>_<id>", else the id.
func deletedQuery(q odata.Query, eventual bool, top int) (directory.DeletedQuery, error) {
	dq := directory.DeletedQuery{Limit: top + 1}
	if len(q.OrderBy) > 0 {
		if len(q.OrderBy) > 1 || !strings.EqualFold(q.OrderBy[0].Property, "deletedDateTime") {
			return dq, directoryObjects.unsupported("Sorting not supported for current query.")
		}
		if !eventual || !q.Count {
			return dq, directoryObjects.unsupported("Sorting by deletedDateTime is only supported in advanced queries: send the header ConsistencyLevel: eventual and $count=true.")
		}
		dq.ByDeletedAt, dq.Desc = true, q.OrderBy[0].Desc
	}
	if q.SkipToken == "" {
		return dq, nil
	}
	if !dq.ByDeletedAt {
		dq.AfterID = q.SkipToken
		return dq, nil
	}
	micros, id, ok := strings.Cut(q.SkipToken, "_")
	us, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil || id == "" {
		return dq, directoryObjects.invalid("The $skiptoken is not one this list answered; start again without it.")
	}
	dq.AfterID, dq.AfterDeletedAt = id, time.UnixMicro(us).UTC()
	return dq, nil
}

// listDeletedUsers is GET /v1.0/directory/deletedItems/microsoft.graph.user
// with $select, $top (1–999, default 100), $skiptoken, $count and
// $orderby=deletedDateTime (deletedQuery).
func (a *API) listDeletedUsers(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	q := routeQuery(r)
	top, err := directoryObjects.pageSize(q)
	if err != nil {
		return err
	}
	sel, err := structSelect(directoryObjects, deletedUserBody{}, "microsoft.graph.user", q.Select)
	if err != nil {
		return err
	}
	dq, err := deletedQuery(q, eventual(r), top)
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	list, err := a.deps.Lifecycle.QueryDeleted(r.Context(), t, dq)
	if err != nil {
		return err
	}
	page := deletedUserPage{ODataContext: selectContext("https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.user", sel), Value: []any{}}
	if eventual(r) && q.Count {
		n, err := a.deps.Lifecycle.CountDeleted(r.Context(), t)
		if err != nil {
			return err
		}
		page.ODataCount = &n
	}
	if len(list) > top {
		list = list[:top]
		last := list[len(list)-1]
		token := last.ID
		if dq.ByDeletedAt {
			token = strconv.FormatInt(last.DeletedAt.UnixMicro(), 10) + "_" + last.ID
		}
		page.ODataNextLink = a.nextLink(r, token)
	}
	for _, d := range list {
		if sel != nil {
			page.Value = append(page.Value, selectObject(deletedUserOut(d, t.InitialDomain), sel, ""))
			continue
		}
		page.Value = append(page.Value, deletedUserOut(d, t.InitialDomain))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// getDeletedItem is GET /v1.0/directory/deletedItems/{id}.
// A deleted group answers as a group (Group.Read.All and the like); any
// other id is looked up among deleted users (User.Read.All and the like).
func (a *API) getDeletedItem(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permDeletedRead...); err != nil {
		return err
	}
	id := r.PathValue("id")
	if g, ok, err := a.deletedGroup(r.Context(), c, id); err != nil || ok {
		if err != nil {
			return err
		}
		if err := require(c, permGroupsRead...); err != nil {
			return err
		}
		out := groupOut(g)
		out.ODataContext, out.ODataType = "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/$entity", "#microsoft.graph.group"
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	if err := require(c, permUsersRead...); err != nil {
		return onlyGroups(r)
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	d, err := a.deps.Lifecycle.GetDeleted(r.Context(), t, id)
	if err != nil {
		return orUserNotFound(err, id)
	}
	out := deletedUserOut(d, t.InitialDomain)
	out.ODataContext = "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// onlyGroups answers a caller that may reach deleted groups but not
// deleted users, for an id that is no deleted group of its tenant: not
// found, as for any object it cannot see.
func onlyGroups(r *http.Request) error {
	return notFound("Resource '" + r.PathValue("id") + "' does not exist or one of its queried reference-property objects are not present.")
}

// restoreBody is the optional body of a restore.
type restoreBody struct {
	AutoReconcileProxyConflict *bool `json:"autoReconcileProxyConflict"`
}

// restoredUserBody is the user a restore answers.
type restoredUserBody struct {
	ODataContext string `json:"@odata.context"`
	ODataType    string `json:"@odata.type"`
	userBody
}

// restoreDeletedItem is POST /v1.0/directory/deletedItems/{id}/restore
// (200 with the user or the group, same id). A user created since with the deleted
// user's address is Graph's 400; nothing changes.
func (a *API) restoreDeletedItem(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permDeletedRestore...); err != nil {
		return err
	}
	// The body is optional; when present it is read as strictly as any.
	body, err := readBody(w, r, maxBody)
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
			return badRequest("Content-Type must be application/json.")
		}
		var in restoreBody
		if err := decodeBody(body, &in); err != nil {
			return err
		}
	}
	id := r.PathValue("id")
	if g, ok, err := a.deletedGroup(r.Context(), c, id); err != nil || ok {
		if err != nil {
			return err
		}
		return a.restoreGroup(w, r, c, g.ID)
	}
	if err := require(c, permUserDelete...); err != nil {
		return onlyGroups(r)
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	u, err := a.deps.Lifecycle.Restore(r.Context(), t, id, a.actor(r, c), c.authority())
	if err != nil {
		return orUserNotFound(err, id)
	}
	writeJSON(w, http.StatusOK, restoredUserBody{
		ODataContext: "https://graph.microsoft.com/v1.0/$metadata#directoryObjects/$entity",
		ODataType:    "#microsoft.graph.user", userBody: userOut(u, t.InitialDomain),
	})
	return nil
}

// purgeDeletedItem is DELETE /v1.0/directory/deletedItems/{id} (204): the
// deleted user or group is gone for good.
func (a *API) purgeDeletedItem(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permDeletedRestore...); err != nil {
		return err
	}
	if g, ok, err := a.deletedGroup(r.Context(), c, r.PathValue("id")); err != nil || ok {
		if err != nil {
			return err
		}
		if err := require(c, permGroupsWrite...); err != nil {
			return err
		}
		if err := a.deps.Groups.Purge(r.Context(), c.TenantID, g.ID, a.actor(r, c)); err != nil {
			return orObjectNotFound(err, g.ID)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err := require(c, permUserDelete...); err != nil {
		return onlyGroups(r)
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.deps.Lifecycle.Purge(r.Context(), t, id, a.actor(r, c), c.authority()); err != nil {
		return orUserNotFound(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// UsersJSON is a page of Graph user objects of t's users (what
// `guestgate user list --output json` prints).
func UsersJSON(users []directory.User, initialDomain string) any {
	// The CLI shows every property guestgate keeps, not only Graph's default set.
	page := struct {
		ODataContext string     `json:"@odata.context"`
		Value        []userBody `json:"value"`
	}{ODataContext: "https://graph.microsoft.com/v1.0/$metadata#users", Value: []userBody{}}
	for _, u := range users {
		page.Value = append(page.Value, userOut(u, initialDomain))
	}
	return page
}

// DeletedUsersJSON is a page of deleted users as
// /v1.0/directory/deletedItems/microsoft.graph.user answers it (what
// `guestgate user list --deleted --output json` prints).
func DeletedUsersJSON(list []directory.DeletedUser, initialDomain string) any {
	page := deletedUserPage{ODataContext: "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.user", Value: []any{}}
	for _, d := range list {
		page.Value = append(page.Value, deletedUserOut(d, initialDomain))
	}
	return page
}
