package graph

import (
	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/oidc"
)

// appRoleJSON is Graph's appRole.
type appRoleJSON struct {
	AllowedMemberTypes []string `json:"allowedMemberTypes"`
	Description        *string  `json:"description"`
	DisplayName        string   `json:"displayName"`
	ID                 string   `json:"id"`
	IsEnabled          bool     `json:"isEnabled"`
	Origin             string   `json:"origin"`
	Value              *string  `json:"value"`
}

func appRolesOut(rs []assignment.AppRole) []appRoleJSON {
	out := make([]appRoleJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, appRoleJSON{AllowedMemberTypes: append([]string{}, r.AllowedMemberTypes...), Description: nilIfEmpty(r.Description),
			DisplayName: r.DisplayName, ID: r.ID, IsEnabled: r.IsEnabled, Origin: "Application", Value: nilIfEmpty(r.Value)})
	}
	return out
}

// informationalURLJSON is Graph's informationalUrl, none set.
type informationalURLJSON struct {
	LogoURL             *string `json:"logoUrl"`
	MarketingURL        *string `json:"marketingUrl"`
	PrivacyStatementURL *string `json:"privacyStatementUrl"`
	SupportURL          *string `json:"supportUrl"`
	TermsOfServiceURL   *string `json:"termsOfServiceUrl"`
}

// verifiedPublisherJSON is Graph's verifiedPublisher, none verified.
type verifiedPublisherJSON struct {
	DisplayName         *string `json:"displayName"`
	VerifiedPublisherID *string `json:"verifiedPublisherId"`
	AddedDateTime       *string `json:"addedDateTime"`
}

// servicePrincipalBody is Graph's servicePrincipal with its default
// properties: the app's service principal in its own tenant (an
// "Application" service principal, single tenant), with what guestgate
// keeps and every other property empty or null.
type servicePrincipalBody struct {
	ODataContext                           string                `json:"@odata.context,omitempty"`
	ID                                     string                `json:"id"`
	DeletedDateTime                        *string               `json:"deletedDateTime"`
	AccountEnabled                         bool                  `json:"accountEnabled"`
	AlternativeNames                       []string              `json:"alternativeNames"`
	AppDisplayName                         string                `json:"appDisplayName"`
	AppDescription                         *string               `json:"appDescription"`
	AppID                                  string                `json:"appId"`
	ApplicationTemplateID                  *string               `json:"applicationTemplateId"`
	AppOwnerOrganizationID                 string                `json:"appOwnerOrganizationId"`
	AppRoleAssignmentRequired              bool                  `json:"appRoleAssignmentRequired"`
	Description                            *string               `json:"description"`
	DisabledByMicrosoftStatus              *string               `json:"disabledByMicrosoftStatus"`
	DisplayName                            string                `json:"displayName"`
	Homepage                               *string               `json:"homepage"`
	LoginURL                               *string               `json:"loginUrl"`
	LogoutURL                              *string               `json:"logoutUrl"`
	Notes                                  *string               `json:"notes"`
	NotificationEmailAddresses             []string              `json:"notificationEmailAddresses"`
	PreferredSingleSignOnMode              *string               `json:"preferredSingleSignOnMode"`
	PreferredTokenSigningKeyThumbprint     *string               `json:"preferredTokenSigningKeyThumbprint"`
	ReplyURLs                              []string              `json:"replyUrls"`
	ServicePrincipalNames                  []string              `json:"servicePrincipalNames"`
	ServicePrincipalType                   string                `json:"servicePrincipalType"`
	SignInAudience                         string                `json:"signInAudience"`
	Tags                                   []string              `json:"tags"`
	TokenEncryptionKeyID                   *string               `json:"tokenEncryptionKeyId"`
	SamlSingleSignOnSettings               *struct{}             `json:"samlSingleSignOnSettings"`
	AddIns                                 []struct{}            `json:"addIns"`
	AppRoles                               []appRoleJSON         `json:"appRoles"`
	Info                                   informationalURLJSON  `json:"info"`
	KeyCredentials                         []struct{}            `json:"keyCredentials"`
	OAuth2PermissionScopes                 []struct{}            `json:"oauth2PermissionScopes"`
	PasswordCredentials                    []struct{}            `json:"passwordCredentials"`
	ResourceSpecificApplicationPermissions []struct{}            `json:"resourceSpecificApplicationPermissions"`
	VerifiedPublisher                      verifiedPublisherJSON `json:"verifiedPublisher"`
}

// signInAudience: apps here sign in their own tenant's users and guests.
const signInAudience = "AzureADMyOrg"

func servicePrincipalOut(app assignment.App, reg oidc.App) servicePrincipalBody {
	var logout *string
	if len(reg.PostLogoutRedirectURIs) > 0 {
		logout = &reg.PostLogoutRedirectURIs[0]
	}
	return servicePrincipalBody{
		ID: app.ServicePrincipalID, AccountEnabled: true, AlternativeNames: []string{}, AppDisplayName: app.DisplayName,
		AppID: app.AppID, AppOwnerOrganizationID: app.TenantID, AppRoleAssignmentRequired: app.AssignmentRequired,
		DisplayName: app.DisplayName, LogoutURL: logout, NotificationEmailAddresses: []string{},
		ReplyURLs: append([]string{}, reg.RedirectURIs...), ServicePrincipalNames: []string{app.AppID},
		ServicePrincipalType: "Application", SignInAudience: signInAudience, Tags: []string{"WindowsAzureActiveDirectoryIntegratedApp"},
		AddIns: []struct{}{}, AppRoles: appRolesOut(app.AppRoles), KeyCredentials: []struct{}{}, OAuth2PermissionScopes: []struct{}{},
		PasswordCredentials: []struct{}{}, ResourceSpecificApplicationPermissions: []struct{}{},
	}
}
