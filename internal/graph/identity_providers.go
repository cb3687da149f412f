package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/roles"
)

// Federations is what the identity-provider resources call
// (federation.Service has it).
type Federations interface {
	List(ctx context.Context, tenantID string) ([]federation.Federation, error)
	Get(ctx context.Context, tenantID, id string) (federation.Federation, error)
	Create(ctx context.Context, t directory.Tenant, d federation.Draft, by audit.Actor) (federation.Federation, error)
	Update(ctx context.Context, t directory.Tenant, id string, p federation.Patch, by audit.Actor) (federation.Federation, error)
	AddDomain(ctx context.Context, t directory.Tenant, id, domain string, by audit.Actor) (federation.Federation, error)
	Delete(ctx context.Context, t directory.Tenant, id string, by audit.Actor) error
}

const identityProvidersPath = "/v1.0/identity/identityProviders"

// Graph names of the identity-provider resources.
const (
	builtInIdPType   = "#microsoft.graph.builtInIdentityProvider"
	socialIdPType    = "#microsoft.graph.socialIdentityProvider"
	oidcIdPType      = "#microsoft.graph.oidcIdentityProvider"
	oidcSecretType   = "#microsoft.graph.oidcClientSecretAuthentication"
	identityProvCtx  = "https://graph.microsoft.com/v1.0/$metadata#identity/identityProviders"
	redactedSecret   = "******"
	googleIdPTypeStr = "Google"
)

// Permissions of the identity-provider resources (Graph's names).
var (
	permIdPRead  = []string{roles.IdentityProviderReadAll, roles.PolicyReadWriteIdP}
	permIdPWrite = []string{roles.PolicyReadWriteIdP}
)

// builtInIdPs are the built-in identity providers Graph lists for a
// tenant; they are read-only. Their availability to guests is governed
// by the email OTP policy and the redemption configuration.
var builtInIdPs = []idpBody{
	{ODataType: builtInIdPType, ID: "EmailOTP-OAUTH", DisplayName: "Email one-time passcode", IdentityProviderType: "EmailOTP"},
	{ODataType: builtInIdPType, ID: "MSASignup-OAUTH", DisplayName: "MicrosoftAccount", IdentityProviderType: "MicrosoftAccount"},
}

// idpBody is one identityProviderBase: builtInIdentityProvider,
// socialIdentityProvider (Google) or oidcIdentityProvider (OpenID Connect
// federation by domain; domains and isAuthoritativeForDomains are
// guestgate's, see docs/graph.md).
type idpBody struct {
	ODataContext         string          `json:"@odata.context,omitempty"`
	ODataType            string          `json:"@odata.type"`
	ID                   string          `json:"id"`
	DisplayName          string          `json:"displayName"`
	IdentityProviderType string          `json:"identityProviderType,omitempty"`
	ClientID             string          `json:"clientId,omitempty"`
	ClientSecret         string          `json:"clientSecret,omitempty"`
	Issuer               string          `json:"issuer,omitempty"`
	ClientAuthentication *clientAuthBody `json:"clientAuthentication,omitempty"`
	Domains              []string        `json:"domains,omitempty"`
	Authoritative        *bool           `json:"isAuthoritativeForDomains,omitempty"`
}

type clientAuthBody struct {
	ODataType    string `json:"@odata.type"`
	ClientSecret string `json:"clientSecret"`
}

func idpOut(f federation.Federation) idpBody {
	switch f.Kind {
	case federation.KindGoogle:
		return idpBody{ODataType: socialIdPType, ID: f.ID, DisplayName: f.DisplayName, IdentityProviderType: googleIdPTypeStr,
			ClientID: f.Settings.ClientID, ClientSecret: redactedSecret}
	default:
		auth := f.Settings.Authoritative
		return idpBody{ODataType: oidcIdPType, ID: f.ID, DisplayName: f.DisplayName, Issuer: f.Issuer, ClientID: f.Settings.ClientID,
			ClientAuthentication: &clientAuthBody{ODataType: oidcSecretType, ClientSecret: redactedSecret},
			Domains:              append([]string{}, f.Domains...), Authoritative: &auth}
	}
}

// idpIn is a POST or PATCH body of any identity-provider type.
type idpIn struct {
	ODataType            *string       `json:"@odata.type"`
	ID                   *string       `json:"id"`
	DisplayName          opt[string]   `json:"displayName"`
	IdentityProviderType *string       `json:"identityProviderType"`
	ClientID             opt[string]   `json:"clientId"`
	ClientSecret         opt[string]   `json:"clientSecret"`
	Issuer               opt[string]   `json:"issuer"`
	ClientAuthentication *clientAuthIn `json:"clientAuthentication"`
	Domains              opt[[]string] `json:"domains"`
	Authoritative        opt[bool]     `json:"isAuthoritativeForDomains"`
}

type clientAuthIn struct {
	ODataType    *string `json:"@odata.type"`
	ClientSecret *string `json:"clientSecret"`
}

func (in idpIn) secret() *string {
	if in.ClientSecret.Set && !in.ClientSecret.Null {
		return &in.ClientSecret.V
	}
	if in.ClientAuthentication != nil {
		return in.ClientAuthentication.ClientSecret
	}
	return nil
}

// kind is the federation kind a body's @odata.type names.
func (in idpIn) kind() (federation.Kind, error) {
	if in.ODataType == nil {
		return "", badRequest("Property '@odata.type' is required: #microsoft.graph.socialIdentityProvider (Google) or #microsoft.graph.oidcIdentityProvider.")
	}
	switch {
	case odataTypeIs(*in.ODataType, socialIdPType):
		if in.IdentityProviderType == nil || *in.IdentityProviderType != googleIdPTypeStr {
			return "", badRequest("Only identityProviderType 'Google' is supported for a socialIdentityProvider in this directory.")
		}
		return federation.KindGoogle, nil
	case odataTypeIs(*in.ODataType, oidcIdPType):
		return federation.KindOIDC, nil
	case odataTypeIs(*in.ODataType, builtInIdPType):
		return "", federation.ErrBuiltIn
	}
	return "", badRequest("Unsupported @odata.type '" + *in.ODataType + "'.")
}

// sameType checks a PATCH body's @odata.type against the provider's kind:
// SDKs and PowerShell send the resource's own type with every PATCH
// (Graph's example to rotate a Google secret does), which is accepted
// without identityProviderType; only another type is refused.
func (in idpIn) sameType(cur federation.Kind) error {
	if in.ODataType == nil {
		return nil
	}
	want := oidcIdPType
	if cur == federation.KindGoogle {
		want = socialIdPType
	}
	if !odataTypeIs(*in.ODataType, want) {
		return badRequest("The @odata.type of an identity provider cannot change.")
	}
	if in.IdentityProviderType != nil && cur == federation.KindGoogle && *in.IdentityProviderType != googleIdPTypeStr {
		return badRequest("The identityProviderType of an identity provider cannot change.")
	}
	return nil
}

func (in idpIn) nulls() error {
	for name, null := range map[string]bool{"displayName": in.DisplayName.Null, "clientId": in.ClientID.Null, "issuer": in.Issuer.Null,
		"domains": in.Domains.Null, "isAuthoritativeForDomains": in.Authoritative.Null, "clientSecret": in.ClientSecret.Null} {
		if null {
			return badRequest("Property '" + name + "' cannot be null.")
		}
	}
	return nil
}

func isBuiltIn(id string) bool {
	for _, b := range builtInIdPs {
		if strings.EqualFold(b.ID, id) {
			return true
		}
	}
	return false
}

// listIdentityProviders is GET /v1.0/identity/identityProviders.
func (a *API) listIdentityProviders(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permIdPRead...); err != nil {
		return err
	}
	fs, err := a.deps.Federations.List(r.Context(), c.TenantID)
	if err != nil {
		return err
	}
	out := append([]idpBody{}, builtInIdPs...)
	for _, f := range fs {
		if f.Kind == federation.KindGoogle || f.Kind == federation.KindOIDC {
			out = append(out, idpOut(f))
		}
	}
	writeJSON(w, http.StatusOK, struct {
		ODataContext string    `json:"@odata.context"`
		Value        []idpBody `json:"value"`
	}{identityProvCtx, out})
	return nil
}

// idpByID finds a Google or OpenID Connect federation by its id.
func (a *API) idpByID(ctx context.Context, tenantID, id string) (federation.Federation, error) {
	f, err := a.deps.Federations.Get(ctx, tenantID, id)
	if err != nil {
		return f, err
	}
	if f.Kind != federation.KindGoogle && f.Kind != federation.KindOIDC {
		return f, notFound("Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.")
	}
	return f, nil
}

// getIdentityProvider is GET /v1.0/identity/identityProviders/{id}.
func (a *API) getIdentityProvider(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permIdPRead...); err != nil {
		return err
	}
	id := r.PathValue("id")
	for _, b := range builtInIdPs {
		if strings.EqualFold(b.ID, id) {
			b.ODataContext = identityProvCtx + "/$entity"
			writeJSON(w, http.StatusOK, b)
			return nil
		}
	}
	f, err := a.idpByID(r.Context(), c.TenantID, id)
	if err != nil {
		return err
	}
	out := idpOut(f)
	out.ODataContext = identityProvCtx + "/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createIdentityProvider is POST /v1.0/identity/identityProviders: Google
// (socialIdentityProvider) or OpenID Connect (oidcIdentityProvider), 201.
func (a *API) createIdentityProvider(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permIdPWrite...); err != nil {
		return err
	}
	var in idpIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	kind, err := in.kind()
	if err != nil {
		return err
	}
	if err := in.nulls(); err != nil {
		return err
	}
	if in.ID != nil {
		return badRequest("Property 'id' is read-only.")
	}
	d := federation.Draft{Federation: federation.Federation{Kind: kind, DisplayName: in.DisplayName.V, Issuer: in.Issuer.V,
		Domains: in.Domains.V, Settings: federation.Settings{ClientID: in.ClientID.V, Authoritative: in.Authoritative.V}}}
	if kind == federation.KindGoogle && (in.Issuer.Set || in.Domains.Set || in.Authoritative.Set || in.ClientAuthentication != nil) {
		return badRequest("A Google socialIdentityProvider takes displayName, identityProviderType, clientId and clientSecret only.")
	}
	if s := in.secret(); s != nil {
		d.ClientSecret = *s
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	f, err := a.deps.Federations.Create(r.Context(), t, d, a.actor(r, c))
	if err != nil {
		return err
	}
	out := idpOut(f)
	out.ODataContext = identityProvCtx + "/$entity"
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// patchIdentityProvider is PATCH /v1.0/identity/identityProviders/{id}, 204.
func (a *API) patchIdentityProvider(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permIdPWrite...); err != nil {
		return err
	}
	id := r.PathValue("id")
	if isBuiltIn(id) {
		return federation.ErrBuiltIn
	}
	var in idpIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.nulls(); err != nil {
		return err
	}
	cur, err := a.idpByID(r.Context(), c.TenantID, id)
	if err != nil {
		return err
	}
	if err := in.sameType(cur.Kind); err != nil {
		return err
	}
	var p federation.Patch
	if in.DisplayName.Set {
		p.DisplayName = &in.DisplayName.V
	}
	if in.ClientID.Set {
		p.ClientID = &in.ClientID.V
	}
	if in.Issuer.Set {
		p.Issuer = &in.Issuer.V
	}
	if in.Domains.Set {
		p.Domains = &in.Domains.V
	}
	if in.Authoritative.Set {
		p.Authoritative = &in.Authoritative.V
	}
	p.ClientSecret = in.secret()
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	if _, err := a.deps.Federations.Update(r.Context(), t, id, p, a.actor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteIdentityProvider is DELETE /v1.0/identity/identityProviders/{id}, 204.
func (a *API) deleteIdentityProvider(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permIdPWrite...); err != nil {
		return err
	}
	id := r.PathValue("id")
	if isBuiltIn(id) {
		return federation.ErrBuiltIn
	}
	if _, err := a.idpByID(r.Context(), c.TenantID, id); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	if err := a.deps.Federations.Delete(r.Context(), t, id, a.actor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
