package invitation

import (
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/policy"
)

// TestDecideIdP walks every step of section 3 of DESIGN: each primary IdP
// in each position of the precedence order, each fallback setting, the
// email passcode policy enabled, disabled and default (before and after
// the auto-enable date, preview and US Government tenants), redeemed and
// pending guests, and the rollout table of section 5. Each row names the
// rule or step it covers.
func TestDecideIdP(t *testing.T) {
	const (
		contosoIssuer = "https://login.test/contoso-id/v2.0"
		samlIssuer    = "https://idp.partner.example/saml"
		googleIssuer  = "google.com"
		msaIssuer     = "https://login.test/consumers/v2.0"
		umIssuer      = "https://login.test/unmanaged-id/v2.0"
	)
	var (
		gmail     = directory.User{Mail: "teri@gmail.com", ExternalUserState: directory.StatePendingAcceptance}
		pending   = directory.User{Mail: "ana@contoso.example", ExternalUserState: directory.StatePendingAcceptance}
		otpGuest  = accepted(pending, directory.IdPMail, "mail")
		homeGuest = accepted(pending, directory.IdPHomeTenant, contosoIssuer)
		umGuest   = accepted(pending, directory.IdPUnmanaged, umIssuer)
		fedGuest  = accepted(pending, directory.IdPFederation, samlIssuer)
		gGuest    = accepted(gmail, directory.IdPFederation, googleIssuer)
		// reset is a guest after a redemption reset: pending, no IdP (R7).
		reset = directory.User{Mail: "ana@contoso.example", ExternalUserState: directory.StatePendingAcceptance, IdP: directory.IdPNone}

		fabrikam = directory.Tenant{ID: "fabrikam-id", Cloud: directory.CloudPublic, Managed: true}
		preview  = directory.Tenant{ID: "fabrikam-id", Cloud: directory.CloudPublic, Managed: true, PreviewOptIn: true}
		usgov    = directory.Tenant{ID: "fabrikam-id", Cloud: directory.CloudUSGov, Managed: true}

		home      = &Upstream{Issuer: contosoIssuer, TenantID: "contoso-id", Managed: true}
		self      = &Upstream{Issuer: "https://login.test/fabrikam-id/v2.0", TenantID: "fabrikam-id", Managed: true}
		umHome    = &Upstream{Issuer: umIssuer, TenantID: "unmanaged-id", Managed: false}
		saml      = &Upstream{Issuer: samlIssuer}
		google    = &Upstream{Issuer: googleIssuer}
		msa       = &Upstream{Issuer: msaIssuer}
		unmanaged = &Upstream{Issuer: umIssuer, TenantID: "unmanaged-id"}

		all      = Found{HomeTenant: home, Federation: saml, Google: google, Personal: msa}
		allGmail = Found{HomeTenant: home, Federation: saml, Google: google}
	)
	def := policy.DefaultRedemptionConfig()
	order := func(fallback string, p ...string) policy.RedemptionConfig {
		return policy.RedemptionConfig{Precedence: p, Fallback: fallback}
	}
	aad, fed, social := policy.PrimaryAzureAD, policy.PrimaryExternalFederation, policy.PrimarySocial
	fbDefault, fbOTP, fbMSA := policy.FallbackDefault, policy.FallbackEmailOTP, policy.FallbackPersonalMSA

	otp := Decision{IdP: directory.IdPMail, Issuer: "mail", Redeeming: true, Step: StepOTP}
	homeDec := Decision{IdP: directory.IdPHomeTenant, Issuer: contosoIssuer, UpstreamTenantID: "contoso-id", Redeeming: true, Step: StepHomeTenant}
	fedDec := Decision{IdP: directory.IdPFederation, Issuer: samlIssuer, Redeeming: true, Step: StepFederation}
	googleDec := Decision{IdP: directory.IdPFederation, Issuer: googleIssuer, Redeeming: true, Step: StepSocial}
	msaDec := Decision{IdP: directory.IdPPersonal, Issuer: msaIssuer, Redeeming: true, Step: StepPersonal}
	newMSA := Decision{IdP: directory.IdPPersonal, CreateAccount: true, Redeeming: true, Step: StepCreatePersonal}
	umDec := Decision{IdP: directory.IdPUnmanaged, Issuer: umIssuer, UpstreamTenantID: "unmanaged-id", Redeeming: true, Step: StepUnmanaged}
	newUM := Decision{IdP: directory.IdPUnmanaged, CreateAccount: true, Redeeming: true, Step: StepCreateUnmanaged}

	cases := []struct {
		rule    string
		user    directory.User
		tenant  directory.Tenant
		allow   policy.AllowExternal
		config  policy.RedemptionConfig
		found   Found
		fixed   *Upstream
		retired bool
		public  bool // the address is at a public consumer mail domain
		want    Decision
		wantErr error
	}{
		// Step 0: redeemed guests keep their IdP (R7, R8, R9).
		{rule: "R7_otp_guest_keeps_otp", user: otpGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def,
			want: Decision{IdP: directory.IdPMail, Issuer: "mail", Step: StepRedeemed}},
		{rule: "R7_otp_guest_keeps_otp_after_gaining_a_home_tenant", user: otpGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: all,
			want: Decision{IdP: directory.IdPMail, Issuer: "mail", Step: StepRedeemed}},
		{rule: "R9_otp_guest_refused_when_disabled", user: otpGuest, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: all, wantErr: ErrOTPDisabled},
		{rule: "R8_home_guest_keeps_home_tenant_when_otp_enabled", user: homeGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def,
			want: Decision{IdP: directory.IdPHomeTenant, Issuer: contosoIssuer, Step: StepRedeemed}},
		{rule: "R9_home_guest_unaffected_by_disabling", user: homeGuest, tenant: fabrikam, allow: policy.AllowDisabled, config: def,
			want: Decision{IdP: directory.IdPHomeTenant, Issuer: contosoIssuer, Step: StepRedeemed}},
		{rule: "S5_row2_unmanaged_guest_keeps_unmanaged_when_otp_enabled", user: umGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def,
			want: Decision{IdP: directory.IdPUnmanaged, Issuer: umIssuer, Step: StepRedeemed}},
		{rule: "R7_federation_guest_keeps_federation", user: fedGuest, tenant: fabrikam, allow: policy.AllowDisabled, config: def, fixed: saml,
			want: Decision{IdP: directory.IdPFederation, Issuer: samlIssuer, Step: StepRedeemed}},
		{rule: "R7_google_guest_keeps_google", user: gGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def, fixed: google,
			want: Decision{IdP: directory.IdPFederation, Issuer: googleIssuer, Step: StepRedeemed}},
		// Issue 20, finding 7: removing the federation ends its guests' sign-ins (as R9 for passcodes).
		{rule: "F7_federation_guest_refused_once_removed", user: fedGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: all, wantErr: federation.ErrRemoved},
		{rule: "F7_google_guest_refused_once_removed", user: gGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: allGmail, wantErr: federation.ErrRemoved},
		{rule: "F7_federation_guest_refused_when_issuer_changed", user: fedGuest, tenant: fabrikam, allow: policy.AllowEnabled, config: def, fixed: &Upstream{Issuer: samlIssuer + "/v2"}, wantErr: federation.ErrRemoved},

		// Step 1, default order: azureActiveDirectory, externalFederation, socialIdentityProviders.
		{rule: "S3_1_home_tenant_first_by_default", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: all, want: homeDec},
		{rule: "S3_1_home_tenant_even_with_otp_disabled", user: pending, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: all, want: homeDec},
		{rule: "S3_1_home_tenant_in_usgov", user: pending, tenant: usgov, allow: policy.AllowDefault, config: def, found: Found{HomeTenant: home}, want: homeDec},
		{rule: "S3_1_own_tenant_is_no_home_tenant", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{HomeTenant: self}, want: otp},
		{rule: "S3_1_unmanaged_tenant_is_no_home_tenant", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{HomeTenant: umHome}, want: otp},
		{rule: "S3_1_federation_when_no_home_tenant", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Federation: saml, Personal: msa}, want: fedDec},
		{rule: "S3_1_google_for_gmail", user: gmail, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Google: google, Personal: msa}, want: googleDec},
		{rule: "S3_1_google_not_for_other_domains", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Google: google}, want: otp},
		{rule: "S3_1_googlemail_too", user: directory.User{Mail: "teri@GoogleMail.com", ExternalUserState: directory.StatePendingAcceptance}, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Google: google}, want: googleDec},

		// Step 1, other orders: the first that applies wins; a provider left out is never used.
		{rule: "S3_1_order_federation_first", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbDefault, fed, aad, social), found: all, want: fedDec},
		{rule: "S3_1_order_social_first", user: gmail, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbDefault, social, fed, aad), found: allGmail, want: googleDec},
		{rule: "S3_1_order_home_tenant_last_still_used_when_alone", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbOTP, fed, social, aad), found: Found{HomeTenant: home}, want: homeDec},
		{rule: "S3_1_order_home_tenant_last_loses_to_federation", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbOTP, fed, social, aad), found: Found{HomeTenant: home, Federation: saml}, want: fedDec},
		{rule: "S3_1_provider_left_out_is_skipped", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbDefault, fed), found: Found{HomeTenant: home}, want: otp},
		{rule: "S3_1_empty_order_goes_to_fallback", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbOTP), found: all, want: otp},

		// Step 2, fallback emailOneTimePasscode.
		{rule: "S3_2_fallback_otp_always_otp", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbOTP, aad), found: Found{Personal: msa, Unmanaged: unmanaged}, want: otp},
		{rule: "S3_2_fallback_otp_disabled_is_an_error", user: pending, tenant: fabrikam, allow: policy.AllowDisabled, config: order(fbOTP, aad), found: Found{Personal: msa}, wantErr: ErrOTPDisabled},
		// Step 2, fallback microsoftAccount.
		{rule: "S3_2_fallback_msa_existing_personal", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbMSA, aad), found: Found{Personal: msa}, want: msaDec},
		{rule: "S3_2_fallback_msa_creates_personal", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: order(fbMSA, aad), want: newMSA},
		// Step 2, fallback defaultConfiguredIdp.
		{rule: "S3_2_default_existing_personal_before_otp", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Personal: msa}, want: msaDec},
		{rule: "R1_default_otp_when_nothing_else", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, want: otp},
		{rule: "R11_default_policy_after_auto_enable_date_is_otp", user: pending, tenant: fabrikam, allow: policy.AllowDefault, config: def, want: otp},
		{rule: "R11_default_policy_preview_tenant_is_off", user: pending, tenant: preview, allow: policy.AllowDefault, config: def, want: newUM},
		{rule: "R11_usgov_default_policy_is_off_no_way_in", user: pending, tenant: usgov, allow: policy.AllowDefault, config: def, wantErr: ErrNoSignInMethod},
		{rule: "R11_usgov_enabled_policy_is_otp", user: pending, tenant: usgov, allow: policy.AllowEnabled, config: def, want: otp},
		{rule: "R11_usgov_never_offers_unmanaged", user: pending, tenant: usgov, allow: policy.AllowDisabled, config: def, found: Found{Unmanaged: unmanaged}, wantErr: ErrNoSignInMethod},
		{rule: "R7_reset_guest_redecides_home_tenant", user: reset, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{HomeTenant: home}, want: homeDec},
		{rule: "R7_reset_guest_redecides_otp", user: reset, tenant: fabrikam, allow: policy.AllowEnabled, config: def, want: otp},

		// Section 5, the rollout table (fallback defaultConfiguredIdp, public cloud).
		{rule: "S5_row1_unmanaged_account_otp_enabled_redeems_with_otp", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Unmanaged: unmanaged}, want: otp},
		{rule: "S5_row1_unmanaged_account_otp_disabled_keeps_unmanaged", user: pending, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: Found{Unmanaged: unmanaged}, want: umDec},
		{rule: "S5_row2_after_reset_otp_enabled_redeems_with_otp", user: reset, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Unmanaged: unmanaged}, want: otp},
		{rule: "S5_row2_after_reset_otp_disabled_keeps_unmanaged", user: reset, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: Found{Unmanaged: unmanaged}, want: umDec},
		{rule: "S5_row3_no_unmanaged_otp_enabled_redeems_with_otp", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, want: otp},
		{rule: "S5_row3_no_unmanaged_otp_disabled_creates_unmanaged", user: pending, tenant: fabrikam, allow: policy.AllowDisabled, config: def, want: newUM},
		{rule: "R12_retired_never_uses_unmanaged_offers_personal", user: pending, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: Found{Unmanaged: unmanaged}, retired: true, want: newMSA},
		{rule: "R12_retired_still_prefers_otp", user: pending, tenant: fabrikam, allow: policy.AllowEnabled, config: def, found: Found{Unmanaged: unmanaged}, retired: true, want: otp},

		// R15: a public consumer mail domain never gets an unmanaged account.
		{rule: "R15_public_domain_otp_disabled_creates_personal_not_unmanaged", user: gmail, tenant: fabrikam, allow: policy.AllowDisabled, config: def, public: true, want: newMSA},
		{rule: "R15_public_domain_ignores_an_existing_unmanaged_account", user: gmail, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: Found{Unmanaged: unmanaged}, public: true, want: newMSA},
		{rule: "R15_public_domain_existing_personal_account", user: gmail, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: Found{Personal: msa}, public: true, want: msaDec},
		{rule: "R15_public_domain_otp_enabled_still_otp", user: gmail, tenant: fabrikam, allow: policy.AllowEnabled, config: def, public: true, want: otp},
		{rule: "R15_public_domain_google_federation_still_first", user: gmail, tenant: fabrikam, allow: policy.AllowDisabled, config: def, found: Found{Google: google}, public: true, want: googleDec},
		{rule: "R15_public_domain_usgov_still_no_way_in", user: gmail, tenant: usgov, allow: policy.AllowDisabled, config: def, public: true, wantErr: ErrNoSignInMethod},
	}
	autoEnable := time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			cfg := policy.DefaultEmailConfig()
			cfg.AllowExternal = c.allow
			in := DecisionInput{
				User: c.user, Tenant: c.tenant, Config: c.config, Found: c.found, UnmanagedRetired: c.retired, PublicMailDomain: c.public, FixedFederation: c.fixed,
				OTPEnabled: policy.EffectiveEmailOTP(cfg, c.tenant, autoEnable, now).Enabled,
			}
			got, err := DecideIdP(in)
			if !errors.Is(err, c.wantErr) || got != c.want {
				t.Fatalf("DecideIdP = %+v, %v; want %+v, %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

// TestDecideIdPDefaultPolicyBeforeAutoEnableDate: "default" is off before
// the deployment's auto-enable date (R11), so the fallback moves on.
func TestDecideIdPDefaultPolicyBeforeAutoEnableDate(t *testing.T) {
	tn := directory.Tenant{Cloud: directory.CloudPublic, Managed: true}
	cfg := policy.DefaultEmailConfig()
	before := time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)
	in := DecisionInput{
		User: directory.User{Mail: "a@b.example", ExternalUserState: directory.StatePendingAcceptance}, Tenant: tn,
		Config:     policy.DefaultRedemptionConfig(),
		OTPEnabled: policy.EffectiveEmailOTP(cfg, tn, time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC), before).Enabled,
	}
	got, err := DecideIdP(in)
	if err != nil || got.Step != StepCreateUnmanaged {
		t.Fatalf("DecideIdP = %+v, %v; want step %s", got, err, StepCreateUnmanaged)
	}
}

// TestDecideSignUp (R13; security round 2, finding 8): sign-up to an app
// follows the decision of section 3: a primary identity provider that
// applies is the only way (a federated domain signs up at its partner, a
// home tenant's member at home); otherwise the fallback says which of a
// passcode and a personal account the person may choose.
func TestDecideSignUp(t *testing.T) {
	const (
		contosoIssuer = "https://login.test/contoso-id/v2.0"
		samlIssuer    = "https://idp.partner.example/saml"
		msaIssuer     = "https://login.test/consumers/v2.0"
	)
	var (
		pending  = directory.User{Mail: "ana@contoso.example", ExternalUserState: directory.StatePendingAcceptance}
		gmail    = directory.User{Mail: "teri@gmail.com", ExternalUserState: directory.StatePendingAcceptance}
		fabrikam = directory.Tenant{ID: "fabrikam-id", Cloud: directory.CloudPublic, Managed: true}
		usgov    = directory.Tenant{ID: "fabrikam-id", Cloud: directory.CloudUSGov, Managed: true}
		home     = &Upstream{Issuer: contosoIssuer, TenantID: "contoso-id", Managed: true}
		saml     = &Upstream{Issuer: samlIssuer}
		google   = &Upstream{Issuer: "google.com"}
		msa      = &Upstream{Issuer: msaIssuer}
	)
	def := policy.DefaultRedemptionConfig()
	order := func(fallback string, p ...string) policy.RedemptionConfig {
		return policy.RedemptionConfig{Precedence: p, Fallback: fallback}
	}
	fedDec := &Decision{IdP: directory.IdPFederation, Issuer: samlIssuer, Redeeming: true, Step: StepFederation}
	homeDec := &Decision{IdP: directory.IdPHomeTenant, Issuer: contosoIssuer, UpstreamTenantID: "contoso-id", Redeeming: true, Step: StepHomeTenant}
	googleDec := &Decision{IdP: directory.IdPFederation, Issuer: "google.com", Redeeming: true, Step: StepSocial}
	cases := []struct {
		rule    string
		user    directory.User
		tenant  directory.Tenant
		otp     bool
		config  policy.RedemptionConfig
		found   Found
		want    SignUpDecision
		wantErr error
	}{
		{rule: "F8_federated_domain_signs_up_at_partner_only", user: pending, tenant: fabrikam, otp: true, config: def, found: Found{Federation: saml, Personal: msa}, want: SignUpDecision{Primary: fedDec}},
		{rule: "F8_federated_domain_at_partner_even_with_otp_off", user: pending, tenant: fabrikam, config: def, found: Found{Federation: saml}, want: SignUpDecision{Primary: fedDec}},
		{rule: "F8_home_tenant_member_signs_up_at_home_only", user: pending, tenant: fabrikam, otp: true, config: def, found: Found{HomeTenant: home, Federation: saml}, want: SignUpDecision{Primary: homeDec}},
		{rule: "F8_order_federation_before_home_tenant", user: pending, tenant: fabrikam, otp: true, config: order(policy.FallbackDefault, policy.PrimaryExternalFederation, policy.PrimaryAzureAD), found: Found{HomeTenant: home, Federation: saml}, want: SignUpDecision{Primary: fedDec}},
		{rule: "F8_home_tenant_left_out_of_order_is_not_offered", user: pending, tenant: fabrikam, otp: true, config: order(policy.FallbackDefault), found: Found{HomeTenant: home}, want: SignUpDecision{Passcode: true, Personal: true}},
		{rule: "F8_google_for_gmail", user: gmail, tenant: fabrikam, otp: true, config: def, found: Found{Google: google}, want: SignUpDecision{Primary: googleDec}},
		{rule: "R13_default_fallback_chooses_passcode_or_personal", user: pending, tenant: fabrikam, otp: true, config: def, want: SignUpDecision{Passcode: true, Personal: true}},
		{rule: "R13_default_fallback_otp_off_personal_only", user: pending, tenant: fabrikam, config: def, want: SignUpDecision{Personal: true}},
		{rule: "R13_fallback_otp_passcode_only", user: pending, tenant: fabrikam, otp: true, config: order(policy.FallbackEmailOTP), found: Found{Personal: msa}, want: SignUpDecision{Passcode: true}},
		{rule: "R13_fallback_otp_while_off_is_an_error", user: pending, tenant: fabrikam, config: order(policy.FallbackEmailOTP), wantErr: ErrOTPDisabled},
		{rule: "R13_fallback_msa_personal_only", user: pending, tenant: fabrikam, otp: true, config: order(policy.FallbackPersonalMSA), want: SignUpDecision{Personal: true}},
		{rule: "R11_usgov_otp_off_no_new_personal_account", user: pending, tenant: usgov, config: def, wantErr: ErrNoSignInMethod},
		{rule: "R11_usgov_existing_personal_account", user: pending, tenant: usgov, config: def, found: Found{Personal: msa}, want: SignUpDecision{Personal: true}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := DecideSignUp(DecisionInput{User: c.user, Tenant: c.tenant, Config: c.config, OTPEnabled: c.otp, Found: c.found})
			if !errors.Is(err, c.wantErr) || (got.Primary == nil) != (c.want.Primary == nil) ||
				got.Primary != nil && *got.Primary != *c.want.Primary || got.Passcode != c.want.Passcode || got.Personal != c.want.Personal {
				t.Fatalf("DecideSignUp = %+v (primary %+v), %v; want %+v (primary %+v), %v", got, got.Primary, err, c.want, c.want.Primary, c.wantErr)
			}
		})
	}
	fed := SignUpDecision{Primary: fedDec}
	if fed.Allows(directory.IdPMail, "mail") || fed.Allows(directory.IdPPersonal, msaIssuer) || fed.Allows(directory.IdPFederation, "https://other.example") || !fed.Allows(directory.IdPFederation, samlIssuer) {
		t.Fatal("F8_primary_allows_only_its_own_issuer")
	}
	if choice := (SignUpDecision{Personal: true}); choice.Allows(directory.IdPMail, "mail") || !choice.Allows(directory.IdPPersonal, msaIssuer) {
		t.Fatal("R13_fallback_allows_only_what_it_offers")
	}
}

func accepted(u directory.User, idp directory.IdP, issuer string) directory.User {
	u.ExternalUserState, u.IdP, u.IdPIssuer = directory.StateAccepted, idp, issuer
	return u
}
