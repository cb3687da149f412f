package policy

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
)

func TestRedemptionPatchValidate(t *testing.T) {
	order := func(ns ...string) *[]string { return &ns }
	cases := []struct {
		rule    string
		patch   RedemptionPatch
		invalid string // the property named by the error, "" when valid
	}{
		{"S3_default_order_accepted", RedemptionPatch{Precedence: order(PrimaryAzureAD, PrimaryExternalFederation, PrimarySocial)}, ""},
		{"S3_reordered_accepted", RedemptionPatch{Precedence: order(PrimarySocial, PrimaryAzureAD, PrimaryExternalFederation)}, ""},
		{"S3_subset_accepted", RedemptionPatch{Precedence: order(PrimaryExternalFederation)}, ""},
		{"S3_empty_order_accepted_fallback_only", RedemptionPatch{Precedence: order()}, ""},
		{"S3_unknown_provider_refused", RedemptionPatch{Precedence: order(PrimaryAzureAD, "google")}, PropPrecedence},
		{"S3_fallback_name_is_not_primary", RedemptionPatch{Precedence: order(FallbackEmailOTP)}, PropPrecedence},
		{"S3_provider_case_matters", RedemptionPatch{Precedence: order("AzureActiveDirectory")}, PropPrecedence},
		{"S3_repeated_provider_refused", RedemptionPatch{Precedence: order(PrimaryAzureAD, PrimarySocial, PrimaryAzureAD)}, PropPrecedence},
		{"S3_fallback_default_accepted", RedemptionPatch{Fallback: ptr(FallbackDefault)}, ""},
		{"S3_fallback_otp_accepted", RedemptionPatch{Fallback: ptr(FallbackEmailOTP)}, ""},
		{"S3_fallback_msa_accepted", RedemptionPatch{Fallback: ptr(FallbackPersonalMSA)}, ""},
		{"S3_fallback_unknown_refused", RedemptionPatch{Fallback: ptr("unknownFutureValue")}, PropFallback},
		{"S3_fallback_primary_name_refused", RedemptionPatch{Fallback: ptr(PrimaryAzureAD)}, PropFallback},
		{"S3_fallback_empty_refused", RedemptionPatch{Fallback: ptr("")}, PropFallback},
		{"S3_both_set_accepted", RedemptionPatch{Precedence: order(PrimaryAzureAD), Fallback: ptr(FallbackEmailOTP)}, ""},
		{"S3_empty_patch_valid", RedemptionPatch{}, ""},
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

func TestRedemptionPatchApply(t *testing.T) {
	def := DefaultRedemptionConfig()
	otp := FallbackEmailOTP
	order := []string{PrimarySocial}
	cases := []struct {
		rule  string
		patch RedemptionPatch
		want  RedemptionConfig
	}{
		{"S3_fallback_only_keeps_order", RedemptionPatch{Fallback: &otp}, RedemptionConfig{Precedence: def.Precedence, Fallback: FallbackEmailOTP}},
		{"S3_order_only_keeps_fallback", RedemptionPatch{Precedence: &order}, RedemptionConfig{Precedence: []string{PrimarySocial}, Fallback: FallbackDefault}},
		{"S3_empty_order_is_empty_not_default", RedemptionPatch{Precedence: &[]string{}}, RedemptionConfig{Precedence: []string{}, Fallback: FallbackDefault}},
		{"S3_empty_patch_changes_nothing", RedemptionPatch{}, def},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := c.patch.Apply(DefaultRedemptionConfig()); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Apply = %+v, want %+v", got, c.want)
			}
		})
	}
	t.Run("S3_apply_copies_the_order", func(t *testing.T) {
		in := []string{PrimaryAzureAD}
		got := RedemptionPatch{Precedence: &in}.Apply(def)
		in[0] = PrimarySocial
		if got.Precedence[0] != PrimaryAzureAD {
			t.Fatalf("the applied order shares the patch's slice: %v", got.Precedence)
		}
	})
}

func TestRedemptionIsServiceDefault(t *testing.T) {
	if !DefaultRedemptionConfig().IsServiceDefault() {
		t.Fatal("S3_never_changed_is_service_default")
	}
	c := DefaultRedemptionConfig()
	c.UpdatedAt = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if c.IsServiceDefault() {
		t.Fatal("S3_changed_to_default_values_is_not_service_default")
	}
}

func TestRedemptionChanges(t *testing.T) {
	def := DefaultRedemptionConfig()
	otp := FallbackEmailOTP
	withOTP := RedemptionPatch{Fallback: &otp}.Apply(def)
	order := []string{PrimaryExternalFederation, PrimaryAzureAD}
	reordered := RedemptionPatch{Precedence: &order}.Apply(def)
	cases := []struct {
		rule     string
		patch    RedemptionPatch
		old, new RedemptionConfig
		want     []audit.Change
	}{
		{"S3_fallback_records_old_and_new", RedemptionPatch{Fallback: &otp}, def, withOTP,
			[]audit.Change{{Property: PropFallback, Old: `"defaultConfiguredIdp"`, New: `"emailOneTimePasscode"`}}},
		{"S3_unchanged_value_still_recorded", RedemptionPatch{Fallback: &otp}, withOTP, withOTP,
			[]audit.Change{{Property: PropFallback, Old: `"emailOneTimePasscode"`, New: `"emailOneTimePasscode"`}}},
		{"S3_order_recorded_as_json", RedemptionPatch{Precedence: &order}, def, reordered,
			[]audit.Change{{Property: PropPrecedence, Old: `["azureActiveDirectory","externalFederation","socialIdentityProviders"]`, New: `["externalFederation","azureActiveDirectory"]`}}},
		{"S3_empty_order_recorded_as_empty_list", RedemptionPatch{Precedence: &[]string{}}, def, RedemptionPatch{Precedence: &[]string{}}.Apply(def),
			[]audit.Change{{Property: PropPrecedence, Old: `["azureActiveDirectory","externalFederation","socialIdentityProviders"]`, New: `[]`}}},
		{"S3_empty_patch_records_nothing", RedemptionPatch{}, def, def, nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := RedemptionChanges(c.patch, c.old, c.new)
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("RedemptionChanges = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}
