package graph

import (
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/policy"
)

// Graph names of the email OTP policy resource (DESIGN section 4).
const (
	emailConfigType    = "#microsoft.graph.emailAuthenticationMethodConfiguration"
	emailConfigContext = "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"
	includeContext     = "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('Email')/microsoft.graph.emailAuthenticationMethodConfiguration/includeTargets"
)

// emailConfigBody is Graph's emailAuthenticationMethodConfiguration.
type emailConfigBody struct {
	ODataContext          string          `json:"@odata.context,omitempty"` // not in a collection
	ODataType             string          `json:"@odata.type"`
	ID                    string          `json:"id"`
	State                 string          `json:"state"`
	AllowExternal         string          `json:"allowExternalIdToUseEmailOtp"`
	IncludeTargetsContext string          `json:"includeTargets@odata.context"`
	IncludeTargets        []includeTarget `json:"includeTargets"`
	ExcludeTargets        []excludeTarget `json:"excludeTargets"`
}

// includeTarget is Graph's authenticationMethodTarget.
type includeTarget struct {
	TargetType             string `json:"targetType"`
	ID                     string `json:"id"`
	IsRegistrationRequired bool   `json:"isRegistrationRequired"`
}

// excludeTarget is Graph's excludeTarget.
type excludeTarget struct {
	ID         string `json:"id"`
	TargetType string `json:"targetType"`
}

func emailConfigOut(c policy.EmailConfig) emailConfigBody {
	out := emailConfigBody{
		ODataContext: emailConfigContext, ODataType: emailConfigType, ID: "Email",
		State: c.State, AllowExternal: string(c.AllowExternal), IncludeTargetsContext: includeContext,
		IncludeTargets: []includeTarget{}, ExcludeTargets: []excludeTarget{},
	}
	for _, t := range c.IncludeTargets {
		out.IncludeTargets = append(out.IncludeTargets, includeTarget(t))
	}
	for _, t := range c.ExcludeTargets {
		out.ExcludeTargets = append(out.ExcludeTargets, excludeTarget{ID: t.ID, TargetType: t.TargetType})
	}
	return out
}

// emailConfigPatch is a PATCH body. The annotations and id of a GET answer
// may be sent back; they change nothing.
type emailConfigPatch struct {
	ODataContext          *string            `json:"@odata.context"`
	ODataType             string             `json:"@odata.type"`
	ID                    *string            `json:"id"`
	State                 opt[string]        `json:"state"`
	AllowExternal         opt[string]        `json:"allowExternalIdToUseEmailOtp"`
	IncludeTargetsContext *string            `json:"includeTargets@odata.context"`
	IncludeTargets        opt[[]targetInput] `json:"includeTargets"`
	ExcludeTargets        opt[[]targetInput] `json:"excludeTargets"`
}

// targetInput is an include or exclude target in a PATCH body.
type targetInput struct {
	ODataType              *string `json:"@odata.type"`
	TargetType             string  `json:"targetType"`
	ID                     string  `json:"id"`
	IsRegistrationRequired bool    `json:"isRegistrationRequired"`
}

// patch checks the Graph-level rules of a PATCH body (the @odata.type is
// required, the id is Email, no property is null) and returns the domain
// patch; the values themselves are checked by policy.Patch.Validate.
func (in emailConfigPatch) patch() (policy.Patch, error) {
	var p policy.Patch
	if in.ODataType != emailConfigType && "#"+in.ODataType != emailConfigType {
		return p, badRequest(`The request body must carry "@odata.type": "` + emailConfigType + `".`)
	}
	if in.ID != nil && !strings.EqualFold(*in.ID, "Email") {
		return p, badRequest("The id of this configuration is 'Email'; it cannot be changed.")
	}
	for _, prop := range []struct {
		name string
		null bool
	}{{"state", in.State.Null}, {"allowExternalIdToUseEmailOtp", in.AllowExternal.Null}, {"includeTargets", in.IncludeTargets.Null}, {"excludeTargets", in.ExcludeTargets.Null}} {
		if prop.null {
			return p, badRequest("Property '" + prop.name + "' cannot be null.")
		}
	}
	if in.State.Set {
		p.State = &in.State.V
	}
	if in.AllowExternal.Set {
		v := policy.AllowExternal(in.AllowExternal.V)
		p.AllowExternal = &v
	}
	if in.IncludeTargets.Set {
		ts := targets(in.IncludeTargets.V)
		p.IncludeTargets = &ts
	}
	if in.ExcludeTargets.Set {
		ts := targets(in.ExcludeTargets.V)
		p.ExcludeTargets = &ts
	}
	return p, nil
}

func targets(in []targetInput) []policy.Target {
	out := make([]policy.Target, 0, len(in))
	for _, t := range in {
		out = append(out, policy.Target{TargetType: t.TargetType, ID: t.ID, IsRegistrationRequired: t.IsRegistrationRequired})
	}
	return out
}

// getEmailConfig is GET …/authenticationMethodConfigurations/email. The
// effective state for guests (section 4) rides in two headers beside the
// Graph body, which stays exactly Graph's.
func (a *API) getEmailConfig(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permPolicyRead...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	v, err := a.deps.Policies.Get(r.Context(), t)
	if err != nil {
		return err
	}
	setEffectiveHeaders(w, v.Effective)
	writeJSON(w, http.StatusOK, emailConfigOut(v.Config))
	return nil
}

// patchEmailConfig is PATCH …/email: a partial update, 204.
func (a *API) patchEmailConfig(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permPolicyWrite...); err != nil {
		return err
	}
	var in emailConfigPatch
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
	v, err := a.deps.Policies.Update(r.Context(), t, p, a.actor(r, c))
	if err != nil {
		return err
	}
	setEffectiveHeaders(w, v.Effective)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteEmailConfig is DELETE …/email: back to the default configuration, 204.
func (a *API) deleteEmailConfig(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permPolicyWrite...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	v, err := a.deps.Policies.Revert(r.Context(), t, a.actor(r, c))
	if err != nil {
		return err
	}
	setEffectiveHeaders(w, v.Effective)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Headers carrying the effective state (not part of Graph's shape).
const (
	headerEffective       = "Guestgate-Email-Otp-Effective"
	headerEffectiveReason = "Guestgate-Email-Otp-Reason"
)

func setEffectiveHeaders(w http.ResponseWriter, e policy.Effective) {
	state := policy.StateDisabled
	if e.Enabled {
		state = policy.StateEnabled
	}
	w.Header().Set(headerEffective, state)
	w.Header().Set(headerEffectiveReason, string(e.Reason))
}

// actor is the audit actor of an API call: the calling app.
func (a *API) actor(r *http.Request, c Caller) audit.Actor {
	if c.Delegated() {
		return audit.Actor{UserID: c.User.ID, UserName: c.User.DisplayName, UserPrincipalName: c.User.UserPrincipalName}
	}
	name := c.AppID
	if a.deps.Apps != nil {
		if app, err := a.deps.Apps.GetApp(r.Context(), c.TenantID, c.AppID); err == nil && app.DisplayName != "" {
			name = app.DisplayName
		}
	}
	return audit.Actor{AppID: c.AppID, AppName: name}
}

// EmailConfigJSON is the Graph emailAuthenticationMethodConfiguration for
// c (what GET answers and `guestgate policy email show --output json` embeds).
func EmailConfigJSON(c policy.EmailConfig) any { return emailConfigOut(c) }
