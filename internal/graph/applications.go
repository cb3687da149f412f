package graph

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
)

// applicationBody is Graph's application with its default properties: an
// app registered in its own tenant, with what guestgate keeps (the app
// roles and groupMembershipClaims, the redirect URIs) and every other
// property empty or null.
type applicationBody struct {
	ODataContext                      string                `json:"@odata.context,omitempty"`
	ID                                string                `json:"id"`
	DeletedDateTime                   *string               `json:"deletedDateTime"`
	AppID                             string                `json:"appId"`
	ApplicationTemplateID             *string               `json:"applicationTemplateId"`
	DisabledByMicrosoftStatus         *string               `json:"disabledByMicrosoftStatus"`
	CreatedDateTime                   string                `json:"createdDateTime"`
	DisplayName                       string                `json:"displayName"`
	Description                       *string               `json:"description"`
	GroupMembershipClaims             *string               `json:"groupMembershipClaims"`
	IdentifierURIs                    []string              `json:"identifierUris"`
	IsDeviceOnlyAuthSupported         *bool                 `json:"isDeviceOnlyAuthSupported"`
	IsFallbackPublicClient            *bool                 `json:"isFallbackPublicClient"`
	NativeAuthenticationApisEnabled   *string               `json:"nativeAuthenticationApisEnabled"`
	Notes                             *string               `json:"notes"`
	PublisherDomain                   *string               `json:"publisherDomain"`
	ServiceManagementReference        *string               `json:"serviceManagementReference"`
	SignInAudience                    string                `json:"signInAudience"`
	Tags                              []string              `json:"tags"`
	TokenEncryptionKeyID              *string               `json:"tokenEncryptionKeyId"`
	UniqueName                        *string               `json:"uniqueName"`
	SamlMetadataURL                   *string               `json:"samlMetadataUrl"`
	DefaultRedirectURI                *string               `json:"defaultRedirectUri"`
	Certification                     *struct{}             `json:"certification"`
	OptionalClaims                    *struct{}             `json:"optionalClaims"`
	ServicePrincipalLockConfiguration *struct{}             `json:"servicePrincipalLockConfiguration"`
	RequestSignatureVerification      *struct{}             `json:"requestSignatureVerification"`
	AddIns                            []struct{}            `json:"addIns"`
	API                               apiApplicationJSON    `json:"api"`
	AppRoles                          []appRoleJSON         `json:"appRoles"`
	Info                              informationalURLJSON  `json:"info"`
	KeyCredentials                    []struct{}            `json:"keyCredentials"`
	ParentalControlSettings           parentalControlJSON   `json:"parentalControlSettings"`
	PasswordCredentials               []struct{}            `json:"passwordCredentials"`
	PublicClient                      redirectURIsJSON      `json:"publicClient"`
	RequiredResourceAccess            []struct{}            `json:"requiredResourceAccess"`
	VerifiedPublisher                 verifiedPublisherJSON `json:"verifiedPublisher"`
	Web                               webApplicationJSON    `json:"web"`
	Spa                               redirectURIsJSON      `json:"spa"`
}

type apiApplicationJSON struct {
	AcceptMappedClaims          *bool      `json:"acceptMappedClaims"`
	KnownClientApplications     []string   `json:"knownClientApplications"`
	RequestedAccessTokenVersion *int       `json:"requestedAccessTokenVersion"`
	OAuth2PermissionScopes      []struct{} `json:"oauth2PermissionScopes"`
	PreAuthorizedApplications   []struct{} `json:"preAuthorizedApplications"`
}

type parentalControlJSON struct {
	CountriesBlockedForMinors []string `json:"countriesBlockedForMinors"`
	LegalAgeGroupRule         string   `json:"legalAgeGroupRule"`
}

type redirectURIsJSON struct {
	RedirectURIs []string `json:"redirectUris"`
}

type webApplicationJSON struct {
	HomePageURL           *string               `json:"homePageUrl"`
	LogoutURL             *string               `json:"logoutUrl"`
	RedirectURIs          []string              `json:"redirectUris"`
	ImplicitGrantSettings implicitGrantJSON     `json:"implicitGrantSettings"`
	RedirectURISettings   []redirectSettingJSON `json:"redirectUriSettings"`
}

type implicitGrantJSON struct {
	EnableAccessTokenIssuance bool `json:"enableAccessTokenIssuance"`
	EnableIDTokenIssuance     bool `json:"enableIdTokenIssuance"`
}

type redirectSettingJSON struct {
	URI   string `json:"uri"`
	Index *int   `json:"index"`
}

func applicationOut(app assignment.App, reg oidc.App, t directory.Tenant) applicationBody {
	claims := app.GroupMembershipClaims
	out := applicationBody{
		ID: app.ApplicationID, AppID: app.AppID, CreatedDateTime: app.CreatedAt.UTC().Format(graphTime),
		DisplayName: app.DisplayName, GroupMembershipClaims: &claims, IdentifierURIs: []string{},
		PublisherDomain: nilIfEmpty(t.InitialDomain), SignInAudience: signInAudience, Tags: []string{},
		AddIns: []struct{}{}, API: apiApplicationJSON{KnownClientApplications: []string{}, OAuth2PermissionScopes: []struct{}{},
			PreAuthorizedApplications: []struct{}{}},
		AppRoles: appRolesOut(app.AppRoles), KeyCredentials: []struct{}{},
		ParentalControlSettings: parentalControlJSON{CountriesBlockedForMinors: []string{}, LegalAgeGroupRule: "Allow"},
		PasswordCredentials:     []struct{}{}, PublicClient: redirectURIsJSON{RedirectURIs: []string{}},
		RequiredResourceAccess: []struct{}{}, Spa: redirectURIsJSON{RedirectURIs: []string{}},
		Web: webApplicationJSON{RedirectURIs: []string{}, RedirectURISettings: []redirectSettingJSON{}},
	}
	if reg.Public() {
		out.PublicClient.RedirectURIs = append(out.PublicClient.RedirectURIs, reg.RedirectURIs...)
		return out
	}
	out.Web.RedirectURIs = append(out.Web.RedirectURIs, reg.RedirectURIs...)
	for _, u := range reg.RedirectURIs {
		out.Web.RedirectURISettings = append(out.Web.RedirectURISettings, redirectSettingJSON{URI: u})
	}
	if len(reg.PostLogoutRedirectURIs) > 0 {
		out.Web.LogoutURL = &reg.PostLogoutRedirectURIs[0]
	}
	return out
}

// getApplication is GET /v1.0/applications/{id} (and by appId) with
// $select.
func (a *API) getApplication(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAppsRead...); err != nil {
		return err
	}
	sel, err := structSelect(directoryObjects, applicationBody{}, "microsoft.graph.application", routeQuery(r).Select)
	if err != nil {
		return err
	}
	app, err := a.applicationOf(r, c)
	if err != nil {
		return err
	}
	reg, err := a.registration(r.Context(), app)
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	out := applicationOut(app, reg, t)
	ctx := selectContext(applicationsContext, sel) + "/$entity"
	if sel != nil {
		writeJSON(w, http.StatusOK, selectObject(out, sel, ctx))
		return nil
	}
	out.ODataContext = ctx
	writeJSON(w, http.StatusOK, out)
	return nil
}

// appRoleIn is an appRole of a PATCH body; origin is read-only and
// ignored, as Graph does.
type appRoleIn struct {
	ODataType          string   `json:"@odata.type"`
	AllowedMemberTypes []string `json:"allowedMemberTypes"`
	Description        *string  `json:"description"`
	DisplayName        *string  `json:"displayName"`
	ID                 *string  `json:"id"`
	IsEnabled          *bool    `json:"isEnabled"`
	Origin             *string  `json:"origin"`
	Value              *string  `json:"value"`
}

// applicationIn is the body of PATCH /v1.0/applications/{id}: appRoles
// and groupMembershipClaims are the properties kept here.
type applicationIn struct {
	ODataType             string          `json:"@odata.type"`
	AppRoles              *[]appRoleIn    `json:"appRoles"`
	GroupMembershipClaims json.RawMessage `json:"groupMembershipClaims"`
}

func (in applicationIn) patch() (assignment.ApplicationPatch, error) {
	var p assignment.ApplicationPatch
	if in.ODataType != "" && !strings.EqualFold(strings.TrimPrefix(in.ODataType, "#"), "microsoft.graph.application") {
		return p, directoryBadRequest("The @odata.type of an application must be '#microsoft.graph.application'.")
	}
	if in.GroupMembershipClaims != nil {
		var claims *string
		if err := json.Unmarshal(in.GroupMembershipClaims, &claims); err != nil {
			return p, applicationProperty("groupMembershipClaims")
		}
		v := deref(claims)
		p.GroupMembershipClaims = &v
	}
	if in.AppRoles != nil {
		rs := make([]assignment.AppRole, 0, len(*in.AppRoles))
		for _, r := range *in.AppRoles {
			if r.ID == nil || r.DisplayName == nil {
				return p, applicationProperty("appRoles")
			}
			rs = append(rs, assignment.AppRole{ID: strings.ToLower(*r.ID), Value: deref(r.Value), DisplayName: *r.DisplayName,
				Description: deref(r.Description), AllowedMemberTypes: r.AllowedMemberTypes, IsEnabled: r.IsEnabled == nil || *r.IsEnabled})
		}
		p.AppRoles = &rs
	}
	return p, nil
}

func applicationProperty(p string) *Error {
	return directoryBadRequest("Invalid value specified for property '" + p + "' of resource 'Application'.")
}

// errEnabledRoleRemoved is Graph's answer to removing an enabled app role.
var errEnabledRoleRemoved = &Error{Status: http.StatusBadRequest, Code: "CannotDeleteOrUpdateEnabledEntitlement",
	Message: "Property  value cannot be deleted or updated unless it is disabled first."}

// patchApplication is PATCH /v1.0/applications/{id} (and by appId): 204.
func (a *API) patchApplication(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAppsWrite...); err != nil {
		return err
	}
	var in applicationIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := in.patch()
	if err != nil {
		return err
	}
	app, err := a.applicationOf(r, c)
	if err != nil {
		return err
	}
	_, err = a.deps.Assignments.UpdateApplication(r.Context(), c.TenantID, app.AppID, p, a.actor(r, c))
	switch {
	case errors.Is(err, assignment.ErrRoleEnabledRemoved):
		return errEnabledRoleRemoved
	case errors.Is(err, assignment.ErrInvalidRole):
		return directoryBadRequest(strings.TrimPrefix(err.Error(), "update application: ") + ".")
	case errors.Is(err, assignment.ErrGroupClaims):
		return applicationProperty("groupMembershipClaims")
	case err != nil:
		return orObjectNotFound(err, r.PathValue("id"))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
