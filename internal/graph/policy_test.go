package graph

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/policy"
)

// decodePatch runs a PATCH body through decode and patch, as the handler does.
func decodePatch(body string) (policy.Patch, error) {
	r := httptest.NewRequest(http.MethodPatch, emailConfigPath, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var in emailConfigPatch
	if err := decode(httptest.NewRecorder(), r, &in); err != nil {
		return policy.Patch{}, err
	}
	p, err := in.patch()
	if err != nil {
		return p, err
	}
	return p, p.Validate()
}

func TestEmailConfigPatch(t *testing.T) {
	const typ = `"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration"`
	cases := []struct {
		rule  string
		body  string
		valid bool
		check func(policy.Patch) bool
	}{
		{"S4_partial_sets_only_named", `{` + typ + `, "allowExternalIdToUseEmailOtp": "disabled"}`, true,
			func(p policy.Patch) bool {
				return p.AllowExternal != nil && *p.AllowExternal == policy.AllowDisabled && p.State == nil && p.IncludeTargets == nil && p.ExcludeTargets == nil
			}},
		{"S4_type_without_hash_accepted", `{"@odata.type": "microsoft.graph.emailAuthenticationMethodConfiguration", "state": "disabled"}`, true,
			func(p policy.Patch) bool { return p.State != nil && *p.State == "disabled" }},
		{"S4_get_answer_sent_back", `{"@odata.context": "x", ` + typ + `, "id": "Email", "state": "enabled", "allowExternalIdToUseEmailOtp": "default",
			"includeTargets@odata.context": "y", "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": false}], "excludeTargets": []}`, true,
			func(p policy.Patch) bool {
				return p.IncludeTargets != nil && len(*p.IncludeTargets) == 1 && p.ExcludeTargets != nil && len(*p.ExcludeTargets) == 0
			}},
		{"S4_empty_targets_clear", `{` + typ + `, "includeTargets": []}`, true,
			func(p policy.Patch) bool { return p.IncludeTargets != nil && len(*p.IncludeTargets) == 0 }},
		{"S4_odata_type_required", `{"allowExternalIdToUseEmailOtp": "enabled"}`, false, nil},
		{"S4_other_odata_type", `{"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration"}`, false, nil},
		{"S4_id_is_Email", `{` + typ + `, "id": "Sms"}`, false, nil},
		{"S4_unknown_allow_value", `{` + typ + `, "allowExternalIdToUseEmailOtp": "unknownFutureValue"}`, false, nil},
		{"S4_unknown_state", `{` + typ + `, "state": "default"}`, false, nil},
		{"S4_null_refused", `{` + typ + `, "state": null}`, false, nil},
		{"S4_wrong_type", `{` + typ + `, "allowExternalIdToUseEmailOtp": true}`, false, nil},
		{"S4_unknown_target_property", `{` + typ + `, "excludeTargets": [{"id": "g", "targetType": "group", "color": "red"}]}`, false, nil},
		{"S4_unknown_property", `{` + typ + `, "isSoftwareOathEnabled": true}`, false, nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p, err := decodePatch(c.body)
			if !c.valid {
				var ge *Error
				var pe *policy.ValidationError
				if !errors.As(err, &ge) && !errors.As(err, &pe) {
					t.Fatalf("got %v, want a 400 error", err)
				}
				if ge != nil && ge.Status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400", ge.Status)
				}
				return
			}
			if err != nil || !c.check(p) {
				t.Fatalf("got %+v, %v", p, err)
			}
		})
	}
}

func TestEmailConfigOut(t *testing.T) {
	c := policy.DefaultEmailConfig()
	c.ExcludeTargets = []policy.Target{{TargetType: "group", ID: "g", IsRegistrationRequired: true}}
	out := emailConfigOut(c)
	if out.ODataType != emailConfigType || out.ID != "Email" || len(out.IncludeTargets) != 1 || out.IncludeTargets[0].ID != "all_users" ||
		out.ExcludeTargets[0] != (excludeTarget{ID: "g", TargetType: "group"}) {
		t.Fatalf("S4_shape: %+v", out)
	}
}
