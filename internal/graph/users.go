package graph

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/odata"
	"github.com/guestgate/guestgate/internal/store"
)

// userBody is Graph's user resource (the properties guestgate keeps).
type userBody struct {
	ODataContext                    string     `json:"@odata.context,omitempty"`
	ID                              string     `json:"id"`
	DisplayName                     string     `json:"displayName"`
	Mail                            string     `json:"mail"`
	UserPrincipalName               string     `json:"userPrincipalName"`
	UserType                        string     `json:"userType"`
	CreationType                    *string    `json:"creationType"`
	ExternalUserState               *string    `json:"externalUserState"`
	ExternalUserStateChangeDateTime *string    `json:"externalUserStateChangeDateTime"`
	PreferredLanguage               *string    `json:"preferredLanguage"`
	AccountEnabled                  bool       `json:"accountEnabled"`
	GivenName                       *string    `json:"givenName"`
	Surname                         *string    `json:"surname"`
	JobTitle                        *string    `json:"jobTitle"`
	OtherMails                      []string   `json:"otherMails"`
	Identities                      []identity `json:"identities"`
	CreatedDateTime                 string     `json:"createdDateTime"`
}

type identity struct {
	SignInType       string `json:"signInType"`
	Issuer           string `json:"issuer"`
	IssuerAssignedID string `json:"issuerAssignedId"`
}

const graphTime = "2006-01-02T15:04:05Z"

func userOut(u directory.User, initialDomain string) userBody {
	out := userBody{
		ID: u.ID, DisplayName: u.DisplayName, Mail: u.Mail, UserPrincipalName: u.UserPrincipalName,
		UserType: string(u.UserType), CreationType: nilIfEmpty(u.CreationType),
		PreferredLanguage: nilIfEmpty(u.PreferredLanguage), AccountEnabled: u.AccountEnabled, OtherMails: u.AllOtherMails(),
		GivenName: nilIfEmpty(u.GivenName), Surname: nilIfEmpty(u.Surname), JobTitle: nilIfEmpty(u.JobTitle),
		CreatedDateTime:                 u.CreatedAt.UTC().Format(graphTime),
		Identities:                      userIdentities(u, initialDomain),
		ExternalUserState:               externalUserState(u),
		ExternalUserStateChangeDateTime: externalUserStateChangeDateTime(u),
	}
	if len(u.OtherMails) > 0 {
		out.OtherMails = u.OtherMails
	}
	return out
}

// externalUserState is Graph's externalUserState: null for a member.
func externalUserState(u directory.User) *string {
	return nilIfEmpty(string(u.ExternalUserState))
}

// externalUserStateChangeDateTime is when externalUserState last changed
// (null for a member).
func externalUserStateChangeDateTime(u directory.User) *string {
	if u.ExternalUserState == "" {
		return nil
	}
	return nilIfEmpty(u.ExternalUserStateChangedAt.UTC().Format(graphTime))
}

// userIdentities is Graph's identities: the userPrincipalName in the
// tenant, and the federated identity a guest signs in with.
func userIdentities(u directory.User, initialDomain string) []identity {
	out := []identity{{SignInType: "userPrincipalName", Issuer: initialDomain, IssuerAssignedID: u.UserPrincipalName}}
	if u.IdPIssuer != "" {
		out = append(out, identity{SignInType: "federated", Issuer: identityIssuer(u), IssuerAssignedID: u.Mail})
	}
	return out
}

// getUser is GET /v1.0/users/{id | userPrincipalName} with $select. A
// userPrincipalName matches in any case; a guest's #EXT# arrives encoded
// (%23EXT%23), as clients must send it. /v1.0/users/$count is countUsers.
func (a *API) getUser(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	key := r.PathValue("id")
	sel, err := userSelect(routeQuery(r).Select)
	if err != nil {
		return err
	}
	if needsSignInActivity(sel) {
		if err := require(c, permSignInActivity...); err != nil {
			return err
		}
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	var u directory.User
	if strings.Contains(key, "@") {
		u, err = a.deps.Directory.GetUserByUPN(r.Context(), t.ID, key)
	} else {
		u, err = a.deps.Directory.GetUser(r.Context(), t.ID, key)
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound("Resource '" + key + "' does not exist or one of its queried reference-property objects are not present.")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userObject(u, t.InitialDomain, sel, usersContext(sel, true)))
	return nil
}

// errCountNeedsEventual is Graph's answer to /users/$count without
// ConsistencyLevel: eventual (as Graph answers it; see docs/graph.md).
var errCountNeedsEventual = directoryBadRequest("$count is not currently supported.")

// countUsers is GET /v1.0/users/$count (an advanced query): the number of
// users $filter and $search select, as plain text.
func (a *API) countUsers(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	q := routeQuery(r)
	if !eventual(r) {
		return errCountNeedsEventual
	}
	q.Given = append(q.Given, odata.OptCount) // /$count is itself the advanced query's $count
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	req, err := mapUsersQueryIn(q, true, t.InitialDomain)
	if err != nil {
		return err
	}
	if req.signInActivity {
		if err := require(c, permSignInActivity...); err != nil {
			return err
		}
	}
	n, err := a.deps.Directory.CountUsers(r.Context(), t.ID, req.filter)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(strconv.Itoa(n)))
	return nil
}

// listUsers is GET /v1.0/users with $filter, $search, $select, $orderby,
// $count, $top (1–999, default 100) and $skiptoken (docs/graph.md).
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	req, err := mapUsersQueryIn(routeQuery(r), eventual(r), t.InitialDomain)
	if err != nil {
		return err
	}
	if req.signInActivity {
		if err := require(c, permSignInActivity...); err != nil {
			return err
		}
	}
	res, err := a.deps.Directory.QueryUsers(r.Context(), t.ID, req.query)
	if errors.Is(err, directory.ErrInvalidCursor) {
		return directoryObjects.invalid("Invalid $skiptoken: it belongs to another query.")
	}
	if err != nil {
		return err
	}
	page := userPage{context: usersContext(req.sel, false), users: res.Users, initialDomain: t.InitialDomain, fields: userFieldsOf(req.sel)}
	if req.count {
		n, err := a.deps.Directory.CountUsers(r.Context(), t.ID, req.filter)
		if err != nil {
			return err
		}
		page.count = &n
	}
	if res.Next != "" {
		page.nextLink = a.nextLink(r, res.Next)
	}
	page.write(w)
	return nil
}
