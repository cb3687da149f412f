package graph

import (
	"encoding/json"
	"net/http"

	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/roles"
)

// crossTenantDefaultPath is the tenant's default cross-tenant access
// policy, which carries the redemption configuration (DESIGN section 3).
const crossTenantDefaultPath = "/v1.0/policies/crossTenantAccessPolicy/default"

// Graph names of the crossTenantAccessPolicyConfigurationDefault resource.
const (
	crossTenantDefaultType    = "#microsoft.graph.crossTenantAccessPolicyConfigurationDefault"
	crossTenantDefaultContext = "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity"
	redemptionConfigType      = "#microsoft.graph.defaultInvitationRedemptionIdentityProviderConfiguration"
)

// Permissions of the resource (Graph's names).
var (
	permCrossTenantRead  = []string{roles.PolicyReadAll, roles.PolicyReadWriteXTenant}
	permCrossTenantWrite = []string{roles.PolicyReadWriteXTenant}
)

// crossTenantDefaultBody is Graph's crossTenantAccessPolicyConfigurationDefault
// as guestgate serves it.
//
// Only isServiceDefault and invitationRedemptionIdentityProviderConfiguration
// are implemented. The other properties of the resource (b2bCollaborationInbound,
// b2bCollaborationOutbound, b2bDirectConnectInbound, b2bDirectConnectOutbound,
// inboundTrust, automaticUserConsentSettings, tenantRestrictions) are left out
// of the answer rather than filled with Entra's defaults: guestgate enforces
// none of them, and a value it does not enforce would tell an admin or a
// configuration tool that it does. Graph clients already meet answers
// without them (the documented example omits several), and a PATCH that
// names one is refused with 400, never silently ignored.
type crossTenantDefaultBody struct {
	ODataContext     string               `json:"@odata.context"`
	IsServiceDefault bool                 `json:"isServiceDefault"`
	Redemption       redemptionConfigBody `json:"invitationRedemptionIdentityProviderConfiguration"`
}

// redemptionConfigBody is Graph's defaultInvitationRedemptionIdentityProviderConfiguration.
type redemptionConfigBody struct {
	Precedence []string `json:"primaryIdentityProviderPrecedenceOrder"`
	Fallback   string   `json:"fallbackIdentityProvider"`
}

func crossTenantDefaultOut(c policy.RedemptionConfig) crossTenantDefaultBody {
	order := append([]string{}, c.Precedence...)
	return crossTenantDefaultBody{
		ODataContext: crossTenantDefaultContext, IsServiceDefault: c.IsServiceDefault(),
		Redemption: redemptionConfigBody{Precedence: order, Fallback: c.Fallback},
	}
}

// crossTenantDefaultPatch is a PATCH body. The @odata.type annotations are
// optional (Graph's examples omit them, SDKs send them) but must name the
// right type when present; the @odata.context and isServiceDefault of a
// GET answer may be sent back.
type crossTenantDefaultPatch struct {
	ODataContext     *string                    `json:"@odata.context"`
	ODataType        *string                    `json:"@odata.type"`
	IsServiceDefault opt[bool]                  `json:"isServiceDefault"`
	Redemption       opt[redemptionConfigPatch] `json:"invitationRedemptionIdentityProviderConfiguration"`

	// Properties of the resource that guestgate does not implement: named
	// so that a PATCH setting one gets a 400 saying so.
	B2BCollaborationInbound      opt[json.RawMessage] `json:"b2bCollaborationInbound"`
	B2BCollaborationOutbound     opt[json.RawMessage] `json:"b2bCollaborationOutbound"`
	B2BDirectConnectInbound      opt[json.RawMessage] `json:"b2bDirectConnectInbound"`
	B2BDirectConnectOutbound     opt[json.RawMessage] `json:"b2bDirectConnectOutbound"`
	InboundTrust                 opt[json.RawMessage] `json:"inboundTrust"`
	AutomaticUserConsentSettings opt[json.RawMessage] `json:"automaticUserConsentSettings"`
	TenantRestrictions           opt[json.RawMessage] `json:"tenantRestrictions"`
}

// redemptionConfigPatch is the nested invitationRedemptionIdentityProviderConfiguration
// of a PATCH body; each property is optional (a partial update).
type redemptionConfigPatch struct {
	ODataType  *string       `json:"@odata.type"`
	Precedence opt[[]string] `json:"primaryIdentityProviderPrecedenceOrder"`
	Fallback   opt[string]   `json:"fallbackIdentityProvider"`
}

// odataTypeIs reports whether an @odata.type annotation names want (with or
// without the leading '#', as OData allows).
func odataTypeIs(got, want string) bool {
	return got == want || "#"+got == want
}

// patch checks the Graph-level rules of a PATCH body (annotations name the
// right types, no property is null, unimplemented properties are not set,
// isServiceDefault is not set to true) and returns the domain patch; the
// values themselves are checked by policy.RedemptionPatch.Validate.
func (in crossTenantDefaultPatch) patch() (policy.RedemptionPatch, error) {
	var p policy.RedemptionPatch
	if in.ODataType != nil && !odataTypeIs(*in.ODataType, crossTenantDefaultType) {
		return p, badRequest(`The @odata.type of this resource is "` + crossTenantDefaultType + `".`)
	}
	for _, u := range []struct {
		name string
		set  bool
	}{
		{"b2bCollaborationInbound", in.B2BCollaborationInbound.Set}, {"b2bCollaborationOutbound", in.B2BCollaborationOutbound.Set},
		{"b2bDirectConnectInbound", in.B2BDirectConnectInbound.Set}, {"b2bDirectConnectOutbound", in.B2BDirectConnectOutbound.Set},
		{"inboundTrust", in.InboundTrust.Set}, {"automaticUserConsentSettings", in.AutomaticUserConsentSettings.Set},
		{"tenantRestrictions", in.TenantRestrictions.Set},
	} {
		if u.set {
			return p, badRequest("Property '" + u.name + "' is not supported: guestgate implements only invitationRedemptionIdentityProviderConfiguration of this resource.")
		}
	}
	if in.IsServiceDefault.Set && (in.IsServiceDefault.Null || in.IsServiceDefault.V) {
		return p, badRequest("Property 'isServiceDefault' is read-only; a changed configuration cannot be declared the service default.")
	}
	if !in.Redemption.Set {
		return p, nil
	}
	if in.Redemption.Null {
		return p, badRequest("Property 'invitationRedemptionIdentityProviderConfiguration' cannot be null.")
	}
	r := in.Redemption.V
	if r.ODataType != nil && !odataTypeIs(*r.ODataType, redemptionConfigType) {
		return p, badRequest(`The @odata.type of invitationRedemptionIdentityProviderConfiguration is "` + redemptionConfigType + `".`)
	}
	if r.Precedence.Null {
		return p, badRequest("Property '" + policy.PropPrecedence + "' cannot be null.")
	}
	if r.Fallback.Null {
		return p, badRequest("Property '" + policy.PropFallback + "' cannot be null.")
	}
	if r.Precedence.Set {
		order := append([]string{}, r.Precedence.V...)
		p.Precedence = &order
	}
	if r.Fallback.Set {
		p.Fallback = &r.Fallback.V
	}
	return p, nil
}

// getCrossTenantDefault is GET /v1.0/policies/crossTenantAccessPolicy/default.
func (a *API) getCrossTenantDefault(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permCrossTenantRead...); err != nil {
		return err
	}
	cfg, err := a.deps.Policies.Redemption(r.Context(), c.TenantID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crossTenantDefaultOut(cfg))
	return nil
}

// patchCrossTenantDefault is PATCH …/crossTenantAccessPolicy/default: a
// partial update of the redemption configuration, 204.
func (a *API) patchCrossTenantDefault(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permCrossTenantWrite...); err != nil {
		return err
	}
	var in crossTenantDefaultPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := in.patch()
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	if _, err := a.deps.Policies.UpdateRedemption(r.Context(), t, p, a.actor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// CrossTenantDefaultJSON is the Graph crossTenantAccessPolicyConfigurationDefault
// for c (what GET answers and `guestgate policy redemption show --output json`
// embeds).
func CrossTenantDefaultJSON(c policy.RedemptionConfig) any { return crossTenantDefaultOut(c) }
