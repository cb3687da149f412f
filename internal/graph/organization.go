package graph

import (
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

const organizationCtx = "https://graph.microsoft.com/v1.0/$metadata#organization"

// Permissions of GET /v1.0/organization (Graph's names).
var permOrgRead = []string{roles.OrganizationReadAll, roles.OrganizationReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}

// requireOrgRead: Graph lets a delegated token read the organization with
// User.Read, which is not among guestgate's delegated scopes; a delegated
// token with a user read scope (User.Read.All, …) reads it here.
func requireOrgRead(c Caller) error {
	if c.Delegated() {
		return require(c, append(append([]string{}, permOrgRead...), permUsersRead...)...)
	}
	return require(c, permOrgRead...)
}

// verifiedDomainJSON is Graph's verifiedDomain.
type verifiedDomainJSON struct {
	Capabilities string `json:"capabilities"`
	IsDefault    bool   `json:"isDefault"`
	IsInitial    bool   `json:"isInitial"`
	Name         string `json:"name"`
	Type         string `json:"type"`
}

// organizationJSON is Graph's organization, with the properties guestgate
// has; the others are Graph's empty values.
type organizationJSON struct {
	ODataContext                      string               `json:"@odata.context,omitempty"`
	ID                                string               `json:"id"`
	DeletedDateTime                   *string              `json:"deletedDateTime"`
	BusinessPhones                    []string             `json:"businessPhones"`
	City                              *string              `json:"city"`
	Country                           *string              `json:"country"`
	CountryLetterCode                 *string              `json:"countryLetterCode"`
	CreatedDateTime                   string               `json:"createdDateTime"`
	DisplayName                       string               `json:"displayName"`
	MarketingNotificationEmails       []string             `json:"marketingNotificationEmails"`
	OnPremisesSyncEnabled             *bool                `json:"onPremisesSyncEnabled"`
	PostalCode                        *string              `json:"postalCode"`
	PreferredLanguage                 *string              `json:"preferredLanguage"`
	SecurityComplianceNotificationMls []string             `json:"securityComplianceNotificationMails"`
	State                             *string              `json:"state"`
	Street                            *string              `json:"street"`
	TechnicalNotificationMails        []string             `json:"technicalNotificationMails"`
	TenantType                        string               `json:"tenantType"`
	AssignedPlans                     []any                `json:"assignedPlans"`
	ProvisionedPlans                  []any                `json:"provisionedPlans"`
	PrivacyProfile                    *privacyProfileJSON  `json:"privacyProfile"`
	VerifiedDomains                   []verifiedDomainJSON `json:"verifiedDomains"`
}

type privacyProfileJSON struct {
	ContactEmail *string `json:"contactEmail"`
	StatementURL string  `json:"statementUrl"`
}

// organizationOut is t as Graph's organization. The initial domain is the
// default one (Entra's default until an admin changes it, which guestgate
// does not offer); every domain is Managed (verified by the tenant) with
// the capability Email.
func organizationOut(t directory.Tenant) organizationJSON {
	out := organizationJSON{ID: t.ID, BusinessPhones: []string{}, CreatedDateTime: t.CreatedAt.UTC().Format(graphTime), DisplayName: t.DisplayName,
		MarketingNotificationEmails: []string{}, SecurityComplianceNotificationMls: []string{}, TechnicalNotificationMails: []string{},
		TenantType: "AAD", AssignedPlans: []any{}, ProvisionedPlans: []any{}, VerifiedDomains: []verifiedDomainJSON{}}
	if t.NotificationLanguage != "" {
		out.PreferredLanguage = &t.NotificationLanguage
	}
	if t.PrivacyURL != "" {
		out.PrivacyProfile = &privacyProfileJSON{StatementURL: t.PrivacyURL}
	}
	for _, d := range t.Domains {
		initial := strings.EqualFold(d, t.InitialDomain)
		out.VerifiedDomains = append(out.VerifiedDomains, verifiedDomainJSON{Capabilities: "Email", IsDefault: initial, IsInitial: initial, Name: d, Type: "Managed"})
	}
	return out
}

// listOrganization is GET /v1.0/organization: the caller's tenant, the one
// item of the collection.
func (a *API) listOrganization(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := requireOrgRead(c); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": organizationCtx, "value": []organizationJSON{organizationOut(t)}})
	return nil
}

// getOrganization is GET /v1.0/organization/{id}: the caller's tenant by
// its id; any other id is 404.
func (a *API) getOrganization(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := requireOrgRead(c); err != nil {
		return err
	}
	id := r.PathValue("id")
	if !strings.EqualFold(id, c.TenantID) {
		return notFound("Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.")
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	out := organizationOut(t)
	out.ODataContext = organizationCtx + "/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// errMeAppOnly is Graph's answer to /me with an app-only token.
var errMeAppOnly = badRequest("/me request is only valid with delegated authentication flow.")

// getMe is GET /v1.0/me: the signed-in member of a delegated token, in
// Graph's default property set (or $select). Graph's delegated User.Read
// is not one of guestgate's scopes: a token with a user read scope
// (User.Read.All, Directory.Read.All, or their ReadWrite) reads /me.
func (a *API) getMe(w http.ResponseWriter, r *http.Request, c Caller) error {
	if !c.Delegated() {
		return errMeAppOnly
	}
	if err := require(c, permUsersRead...); err != nil {
		return err
	}
	sel, err := userSelect(routeQuery(r).Select)
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	u, err := a.deps.Directory.GetUser(r.Context(), t.ID, c.User.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userObject(u, t.InitialDomain, sel, usersContext(sel, true)))
	return nil
}
