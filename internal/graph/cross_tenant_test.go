package graph

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/policy"
)

// decodeCrossTenantPatch runs a PATCH body through decode, patch and
// Validate, as the handler and the service do.
func decodeCrossTenantPatch(body string) (policy.RedemptionPatch, error) {
	r := httptest.NewRequest(http.MethodPatch, crossTenantDefaultPath, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var in crossTenantDefaultPatch
	if err := decode(httptest.NewRecorder(), r, &in); err != nil {
		return policy.RedemptionPatch{}, err
	}
	p, err := in.patch()
	if err != nil {
		return p, err
	}
	return p, p.Validate()
}

func TestCrossTenantDefaultPatch(t *testing.T) {
	const (
		typ    = `"@odata.type": "#microsoft.graph.crossTenantAccessPolicyConfigurationDefault"`
		nested = `"@odata.type": "#microsoft.graph.defaultInvitationRedemptionIdentityProviderConfiguration"`
	)
	wrap := func(inner string) string {
		return `{"invitationRedemptionIdentityProviderConfiguration": {` + inner + `}}`
	}
	order := func(p policy.RedemptionPatch, want ...string) bool {
		return p.Precedence != nil && slices.Equal(*p.Precedence, want)
	}
	cases := []struct {
		rule  string
		body  string
		valid bool
		check func(policy.RedemptionPatch) bool
	}{
		{"S3_graph_docs_example", wrap(`"primaryIdentityProviderPrecedenceOrder": ["externalFederation", "azureActiveDirectory", "socialIdentityProviders"], "fallbackIdentityProvider": "defaultConfiguredIdp"`), true,
			func(p policy.RedemptionPatch) bool {
				return order(p, "externalFederation", "azureActiveDirectory", "socialIdentityProviders") && p.Fallback != nil && *p.Fallback == "defaultConfiguredIdp"
			}},
		{"S3_fallback_only_is_partial", wrap(`"fallbackIdentityProvider": "emailOneTimePasscode"`), true,
			func(p policy.RedemptionPatch) bool {
				return p.Precedence == nil && p.Fallback != nil && *p.Fallback == "emailOneTimePasscode"
			}},
		{"S3_order_only_is_partial", wrap(`"primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory"]`), true,
			func(p policy.RedemptionPatch) bool { return order(p, "azureActiveDirectory") && p.Fallback == nil }},
		{"S3_empty_order_accepted", wrap(`"primaryIdentityProviderPrecedenceOrder": []`), true,
			func(p policy.RedemptionPatch) bool { return order(p) }},
		{"S3_sdk_annotations_accepted", `{` + typ + `, "invitationRedemptionIdentityProviderConfiguration": {` + nested + `, "fallbackIdentityProvider": "microsoftAccount"}}`, true,
			func(p policy.RedemptionPatch) bool { return p.Fallback != nil && *p.Fallback == "microsoftAccount" }},
		{"S3_annotations_without_hash_accepted", `{"@odata.type": "microsoft.graph.crossTenantAccessPolicyConfigurationDefault", "invitationRedemptionIdentityProviderConfiguration": {"@odata.type": "microsoft.graph.defaultInvitationRedemptionIdentityProviderConfiguration"}}`, true,
			func(p policy.RedemptionPatch) bool { return p.Precedence == nil && p.Fallback == nil }},
		{"S3_get_answer_sent_back", `{"@odata.context": "x", "isServiceDefault": false, "invitationRedemptionIdentityProviderConfiguration": {"primaryIdentityProviderPrecedenceOrder": ["socialIdentityProviders"], "fallbackIdentityProvider": "defaultConfiguredIdp"}}`, true,
			func(p policy.RedemptionPatch) bool {
				return order(p, "socialIdentityProviders") && *p.Fallback == "defaultConfiguredIdp"
			}},
		{"S3_empty_body_object_changes_nothing", `{}`, true,
			func(p policy.RedemptionPatch) bool { return p.Precedence == nil && p.Fallback == nil }},
		{"S3_other_odata_type", `{"@odata.type": "#microsoft.graph.crossTenantAccessPolicyConfigurationPartner"}`, false, nil},
		{"S3_other_nested_odata_type", wrap(`"@odata.type": "#microsoft.graph.crossTenantAccessPolicyB2BSetting"`), false, nil},
		{"S3_unknown_provider", wrap(`"primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "google"]`), false, nil},
		{"S3_repeated_provider", wrap(`"primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "socialIdentityProviders", "azureActiveDirectory"]`), false, nil},
		{"S3_unknown_fallback", wrap(`"fallbackIdentityProvider": "unknownFutureValue"`), false, nil},
		{"S3_null_configuration", `{"invitationRedemptionIdentityProviderConfiguration": null}`, false, nil},
		{"S3_null_order", wrap(`"primaryIdentityProviderPrecedenceOrder": null`), false, nil},
		{"S3_null_fallback", wrap(`"fallbackIdentityProvider": null`), false, nil},
		{"S3_null_in_order", wrap(`"primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", null]`), false, nil},
		{"S3_order_not_a_list", wrap(`"primaryIdentityProviderPrecedenceOrder": "azureActiveDirectory"`), false, nil},
		{"S3_unknown_property", `{"redemptionOrder": []}`, false, nil},
		{"S3_unknown_nested_property", wrap(`"fallbackIdentityProvider": "defaultConfiguredIdp", "secondaryIdentityProvider": "x"`), false, nil},
		{"S3_unimplemented_property_refused", `{"b2bCollaborationInbound": {"usersAndGroups": {"accessType": "blocked"}}}`, false, nil},
		{"S3_unimplemented_property_null_refused", `{"inboundTrust": null}`, false, nil},
		{"S3_isServiceDefault_true_refused", `{"isServiceDefault": true}`, false, nil},
		{"S3_not_json", `{"invitationRedemptionIdentityProviderConfiguration": `, false, nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p, err := decodeCrossTenantPatch(c.body)
			if !c.valid {
				var ge *Error
				var pe *policy.ValidationError
				if !errors.As(err, &ge) && !errors.As(err, &pe) {
					t.Fatalf("got %v, want a 400 error", err)
				}
				if ge != nil && (ge.Status != http.StatusBadRequest || ge.Code != "BadRequest") {
					t.Fatalf("got %d %s, want 400 BadRequest", ge.Status, ge.Code)
				}
				return
			}
			if err != nil || !c.check(p) {
				t.Fatalf("got %+v, %v", p, err)
			}
		})
	}
}

func TestCrossTenantDefaultOut(t *testing.T) {
	cases := []struct {
		rule string
		cfg  policy.RedemptionConfig
		want string
	}{
		{"S3_never_changed_is_service_default", policy.DefaultRedemptionConfig(),
			`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity","isServiceDefault":true,` +
				`"invitationRedemptionIdentityProviderConfiguration":{"primaryIdentityProviderPrecedenceOrder":["azureActiveDirectory","externalFederation","socialIdentityProviders"],"fallbackIdentityProvider":"defaultConfiguredIdp"}}`},
		{"S3_empty_order_is_an_empty_list", policy.RedemptionConfig{Fallback: policy.FallbackEmailOTP, UpdatedAt: time.Unix(1, 0)},
			`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity","isServiceDefault":false,` +
				`"invitationRedemptionIdentityProviderConfiguration":{"primaryIdentityProviderPrecedenceOrder":[],"fallbackIdentityProvider":"emailOneTimePasscode"}}`},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := json.Marshal(crossTenantDefaultOut(c.cfg))
			if err != nil || string(got) != c.want {
				t.Fatalf("got  %s, %v\nwant %s", got, err, c.want)
			}
		})
	}
}
