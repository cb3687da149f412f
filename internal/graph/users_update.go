package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sort"

	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// Permissions of the lifecycle operations (Graph's names).
var (
	permUserDelete = []string{roles.UserDeleteRestoreAll, roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	permRevoke     = []string{roles.UserRevokeSessionsAll, roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
)

// readOnlyUserProperties are Graph user properties no client may set.
var readOnlyUserProperties = map[string]bool{
	"id": true, "createdDateTime": true, "creationType": true, "deletedDateTime": true,
	"externalUserState": true, "externalUserStateChangeDateTime": true,
	"refreshTokensValidFromDateTime": true, "signInSessionsValidFromDateTime": true,
	"lastPasswordChangeDateTime": true, "onPremisesSyncEnabled": true, "proxyAddresses": true,
	"securityIdentifier": true, "signInActivity": true, "imAddresses": true,
}

// unsupportedUserProperties are writable in Graph but kept by guestgate
// only as it sets them (a guest's userPrincipalName is derived from the
// invited address and never changes).
// Graph's SharePoint profile properties (aboutMe, birthday, skills, …)
// and the ones of licensing, multi-geo and on-premises sync, too. Every
// other known property that is neither kept (storedProps) nor settable
// here is read-only.
var unsupportedUserProperties = map[string]bool{
	"userPrincipalName": true, "userType": true, "identities": true, "passwordProfile": true,
	"passwordPolicies": true, "aboutMe": true, "birthday": true, "hireDate": true, "interests": true,
	"mySite": true, "pastProjects": true, "preferredName": true, "responsibilities": true, "schools": true,
	"skills": true, "preferredDataLocation": true, "onPremisesImmutableId": true,
	"customSecurityAttributes": true, "isResourceAccount": true,
}

// decodeUserPatch reads the body of PATCH /v1.0/users/{id} into a
// lifecycle.Patch. @odata.type is accepted and ignored; read-only and
// unknown properties, and values of the wrong type, are Graph's 400s.
func decodeUserPatch(w http.ResponseWriter, r *http.Request) (lifecycle.Patch, error) {
	var p lifecycle.Patch
	var raw map[string]json.RawMessage
	if err := decode(w, r, &raw); err != nil {
		return p, err
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := raw[k]
		var err error
		switch k {
		case "@odata.type":
			var s string
			err = json.Unmarshal(v, &s)
		case "displayName":
			p.DisplayName, err = required[string](v)
		case "mail":
			p.Mail, err = required[string](v)
		case "accountEnabled":
			p.AccountEnabled, err = required[bool](v)
		case "otherMails":
			var list []string
			if err = json.Unmarshal(v, &list); err == nil {
				if list == nil {
					list = []string{}
				}
				p.OtherMails = &list
			}
		case "preferredLanguage":
			p.PreferredLanguage, err = nullable(v)
		case "givenName":
			p.GivenName, err = nullable(v)
		case "surname":
			p.Surname, err = nullable(v)
		case "jobTitle":
			p.JobTitle, err = nullable(v)
		default:
			if _, ok := storedProps[k]; ok {
				var x any
				if err = json.Unmarshal(v, &x); err == nil {
					x, err = storedValue(k, x)
				}
				if err == nil {
					if p.Properties == nil {
						p.Properties = map[string]any{}
					}
					p.Properties[k] = x
				}
				break
			}
			switch {
			case unsupportedUserProperties[k]:
				return p, directoryBadRequest("Property '" + k + "' cannot be updated here: guestgate keeps it only as it sets it, or not at all (docs/graph.md).")
			case readOnlyUserProperties[k] || knownUserProperty(k):
				return p, directoryBadRequest("Property '" + k + "' is read-only and cannot be set.")
			}
			return p, directoryBadRequest("Property '" + k + "' does not exist as a declared property or extension property.")
		}
		if err != nil {
			return p, invalidUserProperty(k)
		}
	}
	return p, nil
}

var errNull = errors.New("null")

// required decodes a value that may not be null.
func required[T any](v json.RawMessage) (*T, error) {
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, errNull
	}
	var out T
	if err := json.Unmarshal(v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// nullable decodes a string property where null clears it ("").
func nullable(v json.RawMessage) (*string, error) {
	var s *string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, err
	}
	if s == nil {
		s = new(string)
	}
	return s, nil
}

// userNotFound is Graph's 404 for a user id.
func userNotFound(id string) error {
	return notFound("Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.")
}

// orUserNotFound maps store.ErrNotFound to userNotFound(id).
func orUserNotFound(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return userNotFound(id)
	}
	return err
}

// patchUser is PATCH /v1.0/users/{id} (204): a partial update of the
// properties guestgate keeps, recorded as "Update user". A new mail is the
// user's sign-in address; the userPrincipalName never changes.
// accountEnabled false ends the user's sessions and tokens.
func (a *API) patchUser(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersWrite...); err != nil {
		return err
	}
	p, err := decodeUserPatch(w, r)
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := a.deps.Lifecycle.Update(r.Context(), t, id, p, a.actor(r, c), c.authority()); err != nil {
		return orUserNotFound(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteUser is DELETE /v1.0/users/{id} (204): the user moves to
// /v1.0/directory/deletedItems, restorable for 30 days; its sessions and
// tokens end, its redeem links and passcodes stop working.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUserDelete...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.deps.Lifecycle.Delete(r.Context(), t, id, a.actor(r, c), c.authority()); err != nil {
		return orUserNotFound(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type booleanResult struct {
	ODataContext string `json:"@odata.context"`
	Value        bool   `json:"value"`
}

// revokeSignInSessions is POST /v1.0/users/{id}/revokeSignInSessions:
// every session, refresh token and access token of the user from before
// now stops working, in every process. Graph answers 200 with true.
func (a *API) revokeSignInSessions(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRevoke...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := a.deps.Lifecycle.RevokeSignInSessions(r.Context(), t, id, a.actor(r, c), c.authority()); err != nil {
		return orUserNotFound(err, id)
	}
	writeJSON(w, http.StatusOK, booleanResult{ODataContext: "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", Value: true})
	return nil
}
