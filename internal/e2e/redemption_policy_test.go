package e2e

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// crossTenantDefaultPath is the redemption configuration's resource (DESIGN section 3).
const crossTenantDefaultPath = "/v1.0/policies/crossTenantAccessPolicy/default"

// redemptionShape is Graph's crossTenantAccessPolicyConfigurationDefault as
// guestgate answers it.
func redemptionShape(serviceDefault bool, order []any, fallback string) map[string]any {
	return map[string]any{
		"@odata.context":   "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity",
		"isServiceDefault": serviceDefault,
		"invitationRedemptionIdentityProviderConfiguration": map[string]any{
			"primaryIdentityProviderPrecedenceOrder": order,
			"fallbackIdentityProvider":               fallback,
		},
	}
}

// TestRedemptionPolicyAPI (section 3): GET answers Graph's shape, the
// service default at first; PATCH is partial and answers 204; bad bodies
// are 400 in Graph's error envelope and change nothing; reading needs
// Policy.Read.All or Policy.ReadWrite.CrossTenantAccess, writing the latter;
// each change is one directoryAudit with who, when, old and new values.
func TestRedemptionPolicyAPI(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "Policy.ReadWrite.CrossTenantAccess", "AuditLog.Read.All")
		other, otherAdmin := in.TenantWithAdmin("Contoso", "contoso.example", "Policy.ReadWrite.CrossTenantAccess")
		u := in.URL + crossTenantDefaultPath
		defaultOrder := []any{"azureActiveDirectory", "externalFederation", "socialIdentityProviders"}

		var got map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, u, nil, &got); s != http.StatusOK || !reflect.DeepEqual(got, redemptionShape(true, defaultOrder, "defaultConfiguredIdp")) {
			t.Fatalf("S3_default_shape: GET = %d %v", s, got)
		}

		const typ = "#microsoft.graph.crossTenantAccessPolicyConfigurationDefault"
		cfg := func(v map[string]any) map[string]any {
			return map[string]any{"invitationRedemptionIdentityProviderConfiguration": v}
		}
		bad := []struct {
			rule string
			body any
		}{
			{"S3_unknown_provider", cfg(map[string]any{"primaryIdentityProviderPrecedenceOrder": []any{"azureActiveDirectory", "google"}})},
			{"S3_repeated_provider", cfg(map[string]any{"primaryIdentityProviderPrecedenceOrder": []any{"externalFederation", "externalFederation"}})},
			{"S3_unknown_fallback", cfg(map[string]any{"fallbackIdentityProvider": "unknownFutureValue"})},
			{"S3_fallback_wrong_case", cfg(map[string]any{"fallbackIdentityProvider": "EmailOneTimePasscode"})},
			{"S3_null_configuration", map[string]any{"invitationRedemptionIdentityProviderConfiguration": nil}},
			{"S3_null_order", cfg(map[string]any{"primaryIdentityProviderPrecedenceOrder": nil})},
			{"S3_null_fallback", cfg(map[string]any{"fallbackIdentityProvider": nil})},
			{"S3_other_odata_type", map[string]any{"@odata.type": "#microsoft.graph.crossTenantAccessPolicyConfigurationPartner"}},
			{"S3_other_nested_odata_type", cfg(map[string]any{"@odata.type": "#microsoft.graph.invitation", "fallbackIdentityProvider": "microsoftAccount"})},
			{"S3_unknown_property", map[string]any{"@odata.type": typ, "redemptionOrder": []any{}}},
			{"S3_unknown_nested_property", cfg(map[string]any{"fallbackIdentityProvider": "microsoftAccount", "secondary": "x"})},
			{"S3_unimplemented_property", map[string]any{"inboundTrust": map[string]any{"isMfaAccepted": true}}},
			{"S3_isServiceDefault_read_only", map[string]any{"isServiceDefault": true}},
			{"S3_not_json", `{"invitationRedemptionIdentityProviderConfiguration": `},
		}
		for _, c := range bad {
			status, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, u, c.body)
			var env struct {
				Error struct {
					Code, Message string
					InnerError    map[string]any
				}
			}
			if status != http.StatusBadRequest || json.Unmarshal(raw, &env) != nil || env.Error.Code != "BadRequest" || env.Error.Message == "" || env.Error.InnerError["request-id"] == nil {
				t.Errorf("%s: PATCH = %d %s, want 400 with Graph's error envelope", c.rule, status, raw)
			}
		}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, redemptionShape(true, defaultOrder, "defaultConfiguredIdp")) {
			t.Fatalf("refused PATCHes changed the configuration: %v", got)
		}

		// Graph's documented example, as an SDK sends it (with annotations): 204, no body.
		fake.Advance(time.Minute)
		status, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, u, map[string]any{
			"@odata.type": typ,
			"invitationRedemptionIdentityProviderConfiguration": map[string]any{
				"@odata.type":                            "#microsoft.graph.defaultInvitationRedemptionIdentityProviderConfiguration",
				"primaryIdentityProviderPrecedenceOrder": []any{"externalFederation", "azureActiveDirectory", "socialIdentityProviders"},
				"fallbackIdentityProvider":               "defaultConfiguredIdp",
			},
		})
		if status != http.StatusNoContent || len(raw) != 0 {
			t.Fatalf("PATCH = %d %s, want 204 and no body", status, raw)
		}
		reordered := []any{"externalFederation", "azureActiveDirectory", "socialIdentityProviders"}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, redemptionShape(false, reordered, "defaultConfiguredIdp")) {
			t.Fatalf("S3_changed_to_default_fallback_is_no_longer_service_default: %v", got)
		}
		// A partial update (no annotations, as Graph's examples) changes only what it names.
		fake.Advance(time.Minute)
		if status, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, u, cfg(map[string]any{"fallbackIdentityProvider": "emailOneTimePasscode"})); status != http.StatusNoContent {
			t.Fatalf("PATCH fallback = %d %s", status, raw)
		}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, redemptionShape(false, reordered, "emailOneTimePasscode")) {
			t.Fatalf("S3_patch_is_partial: %v", got)
		}
		// The GET answer sent back is accepted and changes nothing.
		fake.Advance(time.Minute)
		if status, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, u, got); status != http.StatusNoContent {
			t.Fatalf("PATCH of a GET answer = %d %s", status, raw)
		}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, redemptionShape(false, reordered, "emailOneTimePasscode")) {
			t.Fatalf("S3_get_answer_round_trip: %v", got)
		}
		if e2etest.API(t, otherAdmin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, redemptionShape(true, defaultOrder, "defaultConfiguredIdp")) {
			t.Fatalf("S3_other_tenant_unchanged (%s): %v", other.ID, got)
		}

		// Permissions: Policy.Read.All reads; only Policy.ReadWrite.CrossTenantAccess writes.
		body := cfg(map[string]any{"fallbackIdentityProvider": "microsoftAccount"})
		for _, p := range []struct {
			rule          string
			perm          string
			read, written int
		}{
			{"S3_read_with_Policy.Read.All", "Policy.Read.All", http.StatusOK, http.StatusForbidden},
			{"S3_auth_methods_permission_is_not_enough", "Policy.ReadWrite.AuthenticationMethod", http.StatusForbidden, http.StatusForbidden},
			{"S3_no_policy_permission", "User.Invite.All", http.StatusForbidden, http.StatusForbidden},
		} {
			c := appClient(t, in, tn, p.perm+" app", p.perm)
			if s := e2etest.API(t, c, http.MethodGet, u, nil, nil); s != p.read {
				t.Errorf("%s: GET = %d, want %d", p.rule, s, p.read)
			}
			var env struct{ Error struct{ Code string } }
			if s := e2etest.API(t, c, http.MethodPatch, u, body, &env); s != p.written || env.Error.Code != "Authorization_RequestDenied" {
				t.Errorf("%s: PATCH = %d %v, want %d Authorization_RequestDenied", p.rule, s, env, p.written)
			}
		}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, redemptionShape(false, reordered, "emailOneTimePasscode")) {
			t.Fatalf("the refused writes changed the configuration: %v", got)
		}

		// One directoryAudit per successful PATCH, newest first.
		var page struct{ Value []map[string]any }
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, &page); s != http.StatusOK || len(page.Value) != 3 {
			t.Fatalf("GET directoryAudits = %d, %d records; want 3", s, len(page.Value))
		}
		type change struct{ old, new string }
		type rec struct {
			at, by  string
			changes map[string]change
		}
		var recs []rec
		for _, v := range page.Value {
			target := v["targetResources"].([]any)[0].(map[string]any)
			if v["activityDisplayName"] != "Update the company default cross-tenant access setting" || v["category"] != "CrossTenantAccessSettings" ||
				v["loggedByService"] != "Core Directory" || v["operationType"] != "Update" || v["result"] != "success" ||
				target["id"] != "default" || target["type"] != "Policy" || v["initiatedBy"].(map[string]any)["user"] != nil {
				t.Fatalf("S3_record_shape: %v", v)
			}
			r := rec{at: v["activityDateTime"].(string), by: v["initiatedBy"].(map[string]any)["app"].(map[string]any)["displayName"].(string), changes: map[string]change{}}
			for _, m := range target["modifiedProperties"].([]any) {
				mp := m.(map[string]any)
				r.changes[mp["displayName"].(string)] = change{mp["oldValue"].(string), mp["newValue"].(string)}
			}
			recs = append(recs, r)
		}
		const (
			defOrder = `["azureActiveDirectory","externalFederation","socialIdentityProviders"]`
			newOrder = `["externalFederation","azureActiveDirectory","socialIdentityProviders"]`
		)
		want := []rec{
			{"2030-05-06T07:11:09.0000000Z", "Fabrikam admin", map[string]change{
				"primaryIdentityProviderPrecedenceOrder": {newOrder, newOrder}, "fallbackIdentityProvider": {`"emailOneTimePasscode"`, `"emailOneTimePasscode"`}}},
			{"2030-05-06T07:10:09.0000000Z", "Fabrikam admin", map[string]change{
				"fallbackIdentityProvider": {`"defaultConfiguredIdp"`, `"emailOneTimePasscode"`}}},
			{"2030-05-06T07:09:09.0000000Z", "Fabrikam admin", map[string]change{
				"primaryIdentityProviderPrecedenceOrder": {defOrder, newOrder}, "fallbackIdentityProvider": {`"defaultConfiguredIdp"`, `"defaultConfiguredIdp"`}}},
		}
		if !reflect.DeepEqual(recs, want) {
			t.Fatalf("S3_each_change_audited, newest first:\n got  %+v\n want %+v", recs, want)
		}
	})
}
