package graph

import (
	"net/http"
	"time"
)

// The authentication methods policy (Graph's authenticationMethodsPolicy)
// holds the tenant's method configurations; guestgate has one, email
// (DESIGN section 4), so the policy and its collection show only it.
const (
	authMethodsPolicyPath   = "/v1.0/policies/authenticationMethodsPolicy"
	authMethodConfigsPath   = authMethodsPolicyPath + "/authenticationMethodConfigurations"
	emailConfigPath         = authMethodConfigsPath + "/email"
	authMethodsPolicyCtx    = "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/$entity"
	authMethodConfigsCtx    = "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations"
	authMethodsPolicyDesc   = "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings"
	authMethodsPolicyName   = "Authentication Methods Policy"
	authMethodsPolicyVer    = "1.5"
	authMethodsPolicyMigrat = "migrationComplete"
)

// authMethodsPolicyBody is Graph's authenticationMethodsPolicy.
type authMethodsPolicyBody struct {
	ODataContext         string            `json:"@odata.context"`
	ID                   string            `json:"id"`
	DisplayName          string            `json:"displayName"`
	Description          string            `json:"description"`
	LastModifiedDateTime *string           `json:"lastModifiedDateTime"`
	PolicyVersion        string            `json:"policyVersion"`
	PolicyMigrationState string            `json:"policyMigrationState"`
	ReconfirmationInDays *int              `json:"reconfirmationInDays"`
	ConfigsContext       string            `json:"authenticationMethodConfigurations@odata.context"`
	Configs              []emailConfigBody `json:"authenticationMethodConfigurations"`
}

type authMethodConfigsPage struct {
	ODataContext string            `json:"@odata.context"`
	Value        []emailConfigBody `json:"value"`
}

// getAuthMethodsPolicy is GET /v1.0/policies/authenticationMethodsPolicy.
func (a *API) getAuthMethodsPolicy(w http.ResponseWriter, r *http.Request, c Caller) error {
	cfg, err := a.emailConfigItem(r, c)
	if err != nil {
		return err
	}
	out := authMethodsPolicyBody{
		ODataContext: authMethodsPolicyCtx, ID: "authenticationMethodsPolicy",
		DisplayName: authMethodsPolicyName, Description: authMethodsPolicyDesc,
		PolicyVersion: authMethodsPolicyVer, PolicyMigrationState: authMethodsPolicyMigrat,
		ConfigsContext: authMethodConfigsCtx, Configs: []emailConfigBody{cfg.body},
	}
	if !cfg.updated.IsZero() {
		at := cfg.updated.UTC().Format(time.RFC3339Nano)
		out.LastModifiedDateTime = &at
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAuthMethodConfigs is GET …/authenticationMethodsPolicy/authenticationMethodConfigurations.
func (a *API) listAuthMethodConfigs(w http.ResponseWriter, r *http.Request, c Caller) error {
	cfg, err := a.emailConfigItem(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, authMethodConfigsPage{ODataContext: authMethodConfigsCtx, Value: []emailConfigBody{cfg.body}})
	return nil
}

type emailConfigItem struct {
	body    emailConfigBody
	updated time.Time
}

// emailConfigItem reads the email configuration as a member of a
// collection (no @odata.context of its own).
func (a *API) emailConfigItem(r *http.Request, c Caller) (emailConfigItem, error) {
	if err := require(c, permPolicyRead...); err != nil {
		return emailConfigItem{}, err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return emailConfigItem{}, err
	}
	v, err := a.deps.Policies.Get(r.Context(), t)
	if err != nil {
		return emailConfigItem{}, err
	}
	body := emailConfigOut(v.Config)
	body.ODataContext = ""
	return emailConfigItem{body: body, updated: v.Config.UpdatedAt}, nil
}
