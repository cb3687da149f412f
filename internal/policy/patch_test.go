package policy

import (
	"errors"
	"testing"

	"github.com/guestgate/guestgate/internal/audit"
)

func ptr[T any](v T) *T { return &v }

func TestPatchValidate(t *testing.T) {
	cases := []struct {
		rule    string
		patch   Patch
		invalid string // the property named by the error, "" when valid
	}{
		{"S4_default_accepted", Patch{AllowExternal: ptr(AllowDefault)}, ""},
		{"S4_enabled_accepted", Patch{AllowExternal: ptr(AllowEnabled)}, ""},
		{"S4_disabled_accepted", Patch{AllowExternal: ptr(AllowDisabled)}, ""},
		{"S4_unknownFutureValue_refused", Patch{AllowExternal: ptr(AllowExternal("unknownFutureValue"))}, "allowExternalIdToUseEmailOtp"},
		{"S4_case_matters", Patch{AllowExternal: ptr(AllowExternal("Enabled"))}, "allowExternalIdToUseEmailOtp"},
		{"S4_empty_refused", Patch{AllowExternal: ptr(AllowExternal(""))}, "allowExternalIdToUseEmailOtp"},
		{"S4_state_enabled", Patch{State: ptr("enabled")}, ""},
		{"S4_state_default_refused", Patch{State: ptr("default")}, "state"},
		{"S4_group_target", Patch{IncludeTargets: &[]Target{{TargetType: "group", ID: "all_users"}}}, ""},
		{"S4_unknown_target_type", Patch{IncludeTargets: &[]Target{{TargetType: "device", ID: "x"}}}, "includeTargets"},
		{"S4_target_without_id", Patch{ExcludeTargets: &[]Target{{TargetType: "group"}}}, "excludeTargets"},
		{"S4_target_twice", Patch{ExcludeTargets: &[]Target{{TargetType: "group", ID: "g"}, {TargetType: "group", ID: "G"}}}, "excludeTargets"},
		{"S4_empty_patch_valid", Patch{}, ""},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			err := c.patch.Validate()
			var ve *ValidationError
			switch {
			case c.invalid == "" && err != nil:
				t.Fatalf("Validate = %v, want valid", err)
			case c.invalid != "" && (!errors.As(err, &ve) || ve.Property != c.invalid):
				t.Fatalf("Validate = %v, want a ValidationError on %s", err, c.invalid)
			}
		})
	}
}

func TestPatchApply(t *testing.T) {
	base := DefaultEmailConfig()
	got := Patch{AllowExternal: ptr(AllowDisabled)}.Apply(base)
	if got.AllowExternal != AllowDisabled || got.State != base.State || len(got.IncludeTargets) != 1 {
		t.Fatalf("S4_patch_is_partial: %+v", got)
	}
	if !(Patch{AllowExternal: ptr(AllowDefault)}).ClearsPreview() || (Patch{AllowExternal: ptr(AllowEnabled)}).ClearsPreview() || (Patch{}).ClearsPreview() {
		t.Fatal("S4_only_setting_default_clears_preview")
	}
	rev := RevertPatch().Apply(Patch{AllowExternal: ptr(AllowDisabled), State: ptr("disabled"), IncludeTargets: &[]Target{}}.Apply(base))
	if rev.State != "enabled" || rev.AllowExternal != AllowDefault || len(rev.IncludeTargets) != 1 || rev.IncludeTargets[0].ID != "all_users" {
		t.Fatalf("S4_delete_reverts_to_default: %+v", rev)
	}
}

func TestChanges(t *testing.T) {
	def := Stored{Config: DefaultEmailConfig(), PreviewOptIn: true}
	enabled := def
	enabled.Config.AllowExternal = AllowEnabled
	cleared := def
	cleared.PreviewOptIn = false
	cases := []struct {
		rule     string
		patch    Patch
		old, new Stored
		want     []audit.Change
	}{
		{"R10_enable_records_old_and_new", Patch{AllowExternal: ptr(AllowEnabled)}, def, enabled,
			[]audit.Change{{Property: "allowExternalIdToUseEmailOtp", Old: `"default"`, New: `"enabled"`}}},
		{"R10_unchanged_value_still_recorded", Patch{AllowExternal: ptr(AllowEnabled)}, enabled, enabled,
			[]audit.Change{{Property: "allowExternalIdToUseEmailOtp", Old: `"enabled"`, New: `"enabled"`}}},
		{"S4_default_on_preview_tenant_records_preview_cleared", Patch{AllowExternal: ptr(AllowDefault)}, def, cleared,
			[]audit.Change{{Property: "allowExternalIdToUseEmailOtp", Old: `"default"`, New: `"default"`}, {Property: "previewOptIn", Old: "true", New: "false"}}},
		{"S4_targets_recorded_as_json", Patch{ExcludeTargets: &[]Target{{TargetType: "group", ID: "g1"}}}, def,
			Stored{Config: Patch{ExcludeTargets: &[]Target{{TargetType: "group", ID: "g1"}}}.Apply(def.Config), PreviewOptIn: true},
			[]audit.Change{{Property: "excludeTargets", Old: `[]`, New: `[{"targetType":"group","id":"g1","isRegistrationRequired":false}]`}}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := Changes(c.patch, c.old, c.new)
			if err != nil || len(got) != len(c.want) {
				t.Fatalf("Changes = %+v, %v; want %+v", got, err, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("change %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}
