package invitation

import (
	"errors"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/policy"
)

// TestRolloutTable names every cell of DESIGN section 5 (R12) and every
// fallback step of section 3, each under both settings of
// --unmanaged-redemption (seed: the table as written; retired: no new
// redemption creates or uses an unmanaged account) and in both clouds (a
// US Government tenant never offers unmanaged redemption, R11).
func TestRolloutTable(t *testing.T) {
	const (
		umIssuer  = "https://login.test/unmanaged-id/v2.0"
		msaIssuer = "https://login.test/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
	)
	var (
		pending  = directory.User{Mail: "lee@northwind.example", ExternalUserState: directory.StatePendingAcceptance}
		redeemed = accepted(pending, directory.IdPUnmanaged, umIssuer)
		// afterReset: redemption reset (and re-invited): pending, no IdP (R7).
		afterReset = directory.User{Mail: "lee@northwind.example", ExternalUserState: directory.StatePendingAcceptance}

		um        = &Upstream{Issuer: umIssuer, TenantID: "unmanaged-id"}
		umHome    = &Upstream{Issuer: umIssuer, TenantID: "unmanaged-id", Managed: false}
		hasUM     = Found{HomeTenant: umHome, Unmanaged: um}
		msa       = &Upstream{Issuer: msaIssuer, TenantID: "9188040d-6c67-4c5b-b112-36a304b66dad", Managed: true}
		hasMSA    = Found{Personal: msa}
		hasUMMSA  = Found{HomeTenant: umHome, Unmanaged: um, Personal: msa}
		clouds    = []directory.Cloud{directory.CloudPublic, directory.CloudUSGov}
		def       = policy.DefaultRedemptionConfig()
		withFB    = func(fb string) policy.RedemptionConfig { c := def; c.Fallback = fb; return c }
		otp       = Decision{IdP: directory.IdPMail, Issuer: "mail", Redeeming: true, Step: StepOTP}
		useUM     = Decision{IdP: directory.IdPUnmanaged, Issuer: umIssuer, UpstreamTenantID: "unmanaged-id", Redeeming: true, Step: StepUnmanaged}
		keepUM    = Decision{IdP: directory.IdPUnmanaged, Issuer: umIssuer, Step: StepRedeemed}
		createUM  = Decision{IdP: directory.IdPUnmanaged, CreateAccount: true, Redeeming: true, Step: StepCreateUnmanaged}
		useMSA    = Decision{IdP: directory.IdPPersonal, Issuer: msaIssuer, Redeeming: true, Step: StepPersonal}
		createMSA = Decision{IdP: directory.IdPPersonal, CreateAccount: true, Redeeming: true, Step: StepCreatePersonal}
	)
	// expect is a cell's outcome per (switch, cloud); nil error fields mean success.
	type outcome struct {
		want    Decision
		wantErr error
	}
	type cell struct {
		rule       string
		user       directory.User
		found      Found
		config     policy.RedemptionConfig
		otpEnabled bool
		// seed/retired in the public cloud, and in US Government (either switch).
		seed, retired, usgov outcome
	}
	same := func(o outcome) (outcome, outcome, outcome) { return o, o, o }
	noWay := outcome{wantErr: ErrNoSignInMethod}
	cells := []cell{
		// Row 1: has an unmanaged account, not from redeeming in this tenant.
		{rule: "S5_row1_unmanaged_account_otp_enabled_redeems_with_otp", user: pending, found: hasUM, config: def, otpEnabled: true},
		{rule: "S5_row1_unmanaged_account_otp_disabled_keeps_signing_in_with_it", user: pending, found: hasUM, config: def,
			seed: outcome{want: useUM}, retired: outcome{want: createMSA}, usgov: noWay},
		// Row 2: already redeemed in this tenant with an unmanaged account.
		{rule: "S5_row2_redeemed_unmanaged_otp_enabled_keeps_it", user: redeemed, found: hasUM, config: def, otpEnabled: true},
		{rule: "S5_row2_redeemed_unmanaged_otp_enabled_after_reset_redeems_with_otp", user: afterReset, found: hasUM, config: def, otpEnabled: true},
		{rule: "S5_row2_redeemed_unmanaged_otp_disabled_keeps_it", user: redeemed, found: hasUM, config: def},
		{rule: "S5_row2_redeemed_unmanaged_otp_disabled_keeps_it_after_reset_and_reinvitation", user: afterReset, found: hasUM, config: def,
			seed: outcome{want: useUM}, retired: outcome{want: createMSA}, usgov: noWay},
		// Row 3: has no unmanaged account.
		{rule: "S5_row3_no_unmanaged_account_otp_enabled_redeems_with_otp", user: pending, config: def, otpEnabled: true},
		{rule: "S5_row3_no_unmanaged_account_otp_disabled_creates_one", user: pending, config: def,
			seed: outcome{want: createUM}, retired: outcome{want: createMSA}, usgov: noWay},
		// Section 3, step 2: the fallback.
		{rule: "S3_2_default_existing_personal_account_first", user: pending, found: hasUMMSA, config: def, otpEnabled: true},
		{rule: "S3_2_default_existing_personal_account_first_otp_disabled", user: pending, found: hasUMMSA, config: def},
		{rule: "S3_2_default_otp_when_enabled", user: pending, config: def, otpEnabled: true},
		{rule: "S3_2_emailOneTimePasscode_always_otp", user: pending, found: hasUMMSA, config: withFB(policy.FallbackEmailOTP), otpEnabled: true},
		{rule: "S3_2_emailOneTimePasscode_otp_disabled_error", user: pending, found: hasUM, config: withFB(policy.FallbackEmailOTP)},
		{rule: "S3_2_microsoftAccount_existing_personal_account", user: pending, found: hasMSA, config: withFB(policy.FallbackPersonalMSA), otpEnabled: true},
		{rule: "S3_2_microsoftAccount_creates_personal_account", user: pending, found: hasUM, config: withFB(policy.FallbackPersonalMSA), otpEnabled: true},
	}
	// Outcomes that do not depend on the switch or the cloud.
	fixed := map[string]outcome{
		"S5_row1_unmanaged_account_otp_enabled_redeems_with_otp":              {want: otp},
		"S5_row2_redeemed_unmanaged_otp_enabled_keeps_it":                     {want: keepUM},
		"S5_row2_redeemed_unmanaged_otp_enabled_after_reset_redeems_with_otp": {want: otp},
		"S5_row2_redeemed_unmanaged_otp_disabled_keeps_it":                    {want: keepUM},
		"S5_row3_no_unmanaged_account_otp_enabled_redeems_with_otp":           {want: otp},
		"S3_2_default_existing_personal_account_first":                        {want: useMSA},
		"S3_2_default_existing_personal_account_first_otp_disabled":           {want: useMSA},
		"S3_2_default_otp_when_enabled":                                       {want: otp},
		"S3_2_emailOneTimePasscode_always_otp":                                {want: otp},
		"S3_2_emailOneTimePasscode_otp_disabled_error":                        {wantErr: ErrOTPDisabled},
		"S3_2_microsoftAccount_existing_personal_account":                     {want: useMSA},
		"S3_2_microsoftAccount_creates_personal_account":                      {want: createMSA},
	}
	for _, c := range cells {
		if o, ok := fixed[c.rule]; ok {
			c.seed, c.retired, c.usgov = same(o)
		}
		for _, cloud := range clouds {
			for _, retired := range []bool{false, true} {
				o, name := c.seed, "seed"
				if retired {
					o, name = c.retired, "retired"
				}
				if cloud == directory.CloudUSGov {
					o = c.usgov
				}
				t.Run(c.rule+"/"+name+"/"+string(cloud), func(t *testing.T) {
					in := DecisionInput{
						User: c.user, Tenant: directory.Tenant{ID: "fabrikam-id", Cloud: cloud, Managed: true},
						Config: c.config, OTPEnabled: c.otpEnabled, Found: c.found, UnmanagedRetired: retired,
					}
					got, err := DecideIdP(in)
					if o.wantErr != nil {
						if !errors.Is(err, o.wantErr) {
							t.Fatalf("DecideIdP = %+v, %v; want %v", got, err, o.wantErr)
						}
						return
					}
					if err != nil || got != o.want {
						t.Fatalf("DecideIdP = %+v, %v; want %+v", got, err, o.want)
					}
				})
			}
		}
	}
}
