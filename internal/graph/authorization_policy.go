package graph

import (
	"net/http"
	"slices"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

// The external collaboration settings: who may invite and the guest
// access level on Graph's authorizationPolicy (a singleton in v1.0), and
// the collaboration restrictions on b2bManagementPolicy, guestgate's
// shape for the domain list (the reproduced product keeps it in a legacy
// policy definition):
//
//	{"@odata.type": "#microsoft.graph.b2bManagementPolicy", "id": "b2bManagementPolicy",
//	 "invitationsAllowedAndBlockedDomainsPolicy": {"allowedDomains": [], "blockedDomains": ["denied.example"]}}
//
// At most one of the two lists is not empty; both empty lets invitations
// go to any domain. PATCH of either answers 204.
const (
	authorizationPolicyPath = "/v1.0/policies/authorizationPolicy"
	b2bPolicyPath           = "/v1.0/policies/b2bManagementPolicy"
)

var (
	permAuthzRead  = []string{roles.PolicyReadAll, roles.PolicyReadWriteAuthz}
	permAuthzWrite = []string{roles.PolicyReadWriteAuthz}
)

type authorizationPolicyJSON struct {
	ODataContext     string `json:"@odata.context"`
	ODataType        string `json:"@odata.type"`
	ID               string `json:"id"`
	DisplayName      string `json:"displayName"`
	Description      string `json:"description"`
	AllowInvitesFrom string `json:"allowInvitesFrom"`
	GuestUserRoleID  string `json:"guestUserRoleId"`
}

func (a *API) getAuthorizationPolicy(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuthzRead...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	s, err := a.collabSettings(r, t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, authorizationPolicyJSON{
		ODataContext: a.deps.BaseURL + "/v1.0/$metadata#policies/authorizationPolicy/$entity",
		ODataType:    "#microsoft.graph.authorizationPolicy", ID: "authorizationPolicy",
		DisplayName: "Authorization Policy", Description: "Used to manage authorization related settings across the company.",
		AllowInvitesFrom: string(s.AllowInvitesFrom), GuestUserRoleID: s.GuestUserRoleID,
	})
	return nil
}

func (a *API) patchAuthorizationPolicy(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuthzWrite...); err != nil {
		return err
	}
	var in struct {
		ODataType        string  `json:"@odata.type"`
		AllowInvitesFrom *string `json:"allowInvitesFrom"`
		GuestUserRoleID  *string `json:"guestUserRoleId"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var p collab.Patch
	if in.AllowInvitesFrom != nil {
		v := collab.AllowInvitesFrom(*in.AllowInvitesFrom)
		p.AllowInvitesFrom = &v
	}
	p.GuestUserRoleID = in.GuestUserRoleID
	return a.updateCollab(w, r, c, p)
}

func (a *API) updateCollab(w http.ResponseWriter, r *http.Request, c Caller, p collab.Patch) error {
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	if _, err := a.deps.Collab.Update(r.Context(), t, p, a.actor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type domainsPolicyJSON struct {
	AllowedDomains []string `json:"allowedDomains"`
	BlockedDomains []string `json:"blockedDomains"`
}

func (a *API) getB2BPolicy(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuthzRead...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	s, err := a.collabSettings(r, t)
	if err != nil {
		return err
	}
	d := domainsPolicyJSON{AllowedDomains: []string{}, BlockedDomains: []string{}}
	switch s.DomainMode {
	case collab.DomainsAllow:
		d.AllowedDomains = slices.Clone(s.Domains)
	case collab.DomainsDeny:
		d.BlockedDomains = slices.Clone(s.Domains)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": a.deps.BaseURL + "/v1.0/$metadata#policies/b2bManagementPolicy/$entity",
		"@odata.type":    "#microsoft.graph.b2bManagementPolicy", "id": "b2bManagementPolicy",
		"invitationsAllowedAndBlockedDomainsPolicy": d,
	})
	return nil
}

func (a *API) patchB2BPolicy(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuthzWrite...); err != nil {
		return err
	}
	var in struct {
		ODataType string             `json:"@odata.type"`
		ID        string             `json:"id"`
		Domains   *domainsPolicyJSON `json:"invitationsAllowedAndBlockedDomainsPolicy"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Domains == nil {
		return badRequest("The property 'invitationsAllowedAndBlockedDomainsPolicy' is required.")
	}
	mode, list := collab.DomainsAny, []string{}
	switch {
	case len(in.Domains.AllowedDomains) > 0 && len(in.Domains.BlockedDomains) > 0:
		return badRequest("Only one of 'allowedDomains' and 'blockedDomains' may list domains.")
	case len(in.Domains.AllowedDomains) > 0:
		mode, list = collab.DomainsAllow, in.Domains.AllowedDomains
	case len(in.Domains.BlockedDomains) > 0:
		mode, list = collab.DomainsDeny, in.Domains.BlockedDomains
	}
	return a.updateCollab(w, r, c, collab.Patch{DomainMode: &mode, Domains: &list})
}

// requireInvite allows an invitation: an app-only token with an invite
// permission; a delegated token with an invite scope whose user the
// tenant's allowInvitesFrom lets invite (R10: admins and Guest Inviters,
// or all members, or no one).
func (a *API) requireInvite(r *http.Request, c Caller) error {
	if !c.Delegated() {
		return require(c, permInvite...)
	}
	scoped := false
	for _, p := range permInvite {
		scoped = scoped || slices.Contains(c.Scopes, p)
	}
	if !scoped {
		return errForbidden
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	s, err := a.collabSettings(r, t)
	if err != nil {
		return err
	}
	if !s.MayInvite(c.DirectoryRoles, c.User.UserType) {
		return errForbidden
	}
	return nil
}

// collabSettings returns t's settings (the defaults without a Collab).
func (a *API) collabSettings(r *http.Request, t directory.Tenant) (collab.Settings, error) {
	if a.deps.Collab == nil {
		return collab.Default(t), nil
	}
	return a.deps.Collab.Get(r.Context(), t)
}
