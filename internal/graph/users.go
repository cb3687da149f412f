package graph

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
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
		PreferredLanguage: nilIfEmpty(u.PreferredLanguage), AccountEnabled: u.AccountEnabled, OtherMails: []string{},
		GivenName: nilIfEmpty(u.GivenName), Surname: nilIfEmpty(u.Surname), JobTitle: nilIfEmpty(u.JobTitle),
		CreatedDateTime: u.CreatedAt.UTC().Format(graphTime),
		Identities:      []identity{{SignInType: "userPrincipalName", Issuer: initialDomain, IssuerAssignedID: u.UserPrincipalName}},
	}
	if len(u.OtherMails) > 0 {
		out.OtherMails = u.OtherMails
	}
	if u.ExternalUserState != "" {
		out.ExternalUserState = nilIfEmpty(string(u.ExternalUserState))
		out.ExternalUserStateChangeDateTime = nilIfEmpty(u.ExternalUserStateChangedAt.UTC().Format(graphTime))
	}
	if u.IdPIssuer != "" {
		out.Identities = append(out.Identities, identity{SignInType: "federated", Issuer: u.IdPIssuer, IssuerAssignedID: u.Mail})
	}
	return out
}

// getUser is GET /v1.0/users/{id}; {id} is an object id or a userPrincipalName.
func (a *API) getUser(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	u, err := a.deps.Directory.GetUser(r.Context(), t.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return notFound("Resource '" + r.PathValue("id") + "' does not exist or one of its queried reference-property objects are not present.")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userEntity(u, t.InitialDomain))
	return nil
}

type userPage struct {
	ODataContext  string     `json:"@odata.context"`
	ODataNextLink string     `json:"@odata.nextLink,omitempty"`
	Value         []userBody `json:"value"`
}

// listUsers is GET /v1.0/users with $top (1–999, default 100), $skiptoken
// and $filter on mail (mail eq '…').
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	q := r.URL.Query()
	top, err := parseTop(q.Get("$top"))
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	page := userPage{ODataContext: "https://graph.microsoft.com/v1.0/$metadata#users", Value: []userBody{}}
	if f := q.Get("$filter"); f != "" {
		addr, err := parseMailFilter(f)
		if err != nil {
			return err
		}
		u, err := a.deps.Directory.GetUserByMail(r.Context(), t.ID, addr)
		if err == nil {
			page.Value = append(page.Value, userOut(u, t.InitialDomain))
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		writeJSON(w, http.StatusOK, page)
		return nil
	}
	users, err := a.deps.Directory.ListUsers(r.Context(), t.ID, q.Get("$skiptoken"), top+1)
	if err != nil {
		return err
	}
	if len(users) > top {
		users = users[:top]
		next := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {users[len(users)-1].ID}}
		page.ODataNextLink = a.deps.BaseURL + "/v1.0/users?" + next.Encode()
	}
	for _, u := range users {
		page.Value = append(page.Value, userOut(u, t.InitialDomain))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func parseTop(s string) (int, error) {
	if s == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 999 {
		return 0, badRequest("Invalid page size specified: '" + s + "'. Must be between 1 and 999 inclusive.")
	}
	return n, nil
}

// parseMailFilter accepts the one filter guestgate supports: mail eq '…'.
func parseMailFilter(f string) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(f), "mail eq '")
	if !ok || !strings.HasSuffix(rest, "'") {
		return "", badRequest("Unsupported query filter: only \"mail eq '<address>'\" is supported.")
	}
	return strings.ReplaceAll(strings.TrimSuffix(rest, "'"), "''", "'"), nil
}
