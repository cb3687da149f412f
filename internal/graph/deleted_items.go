package graph

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
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
	ODataNextLink string `json:"@odata.nextLink,omitempty"`
	Value         []any  `json:"value"`
}

// listDeletedUsers is GET /v1.0/directory/deletedItems/microsoft.graph.user
// with $select, $top (1–999, default 100) and $skiptoken.
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
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	list, err := a.deps.Lifecycle.ListDeleted(r.Context(), t, q.SkipToken, top+1)
	if err != nil {
		return err
	}
	page := deletedUserPage{ODataContext: selectContext("https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.user", sel), Value: []any{}}
	if len(list) > top {
		list = list[:top]
		next := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {list[len(list)-1].ID}}
		if len(sel) > 0 {
			next.Set("$select", strings.Join(sel, ","))
		}
		page.ODataNextLink = a.deps.BaseURL + deletedItemsPath + "/microsoft.graph.user?" + next.Encode()
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
func (a *API) getDeletedItem(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	d, err := a.deps.Lifecycle.GetDeleted(r.Context(), t, id)
	if err != nil {
		return orUserNotFound(err, id)
	}
	out := deletedUserOut(d, t.InitialDomain)
	out.ODataContext = "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
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
// (200 with the user, same id). A user created since with the deleted
// user's address is Graph's 400; nothing changes.
func (a *API) restoreDeletedItem(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUserDelete...); err != nil {
		return err
	}
	// The body is optional; when present it is read as strictly as any.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(body)) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in restoreBody
		if err := decode(w, r, &in); err != nil {
			return err
		}
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
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
// deleted user is gone for good.
func (a *API) purgeDeletedItem(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUserDelete...); err != nil {
		return err
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
