package policy

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

func TestEffectiveEmailOTP(t *testing.T) {
	auto := time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC)
	before, after := auto.Add(-time.Second), auto.Add(time.Second)
	public := directory.Tenant{Cloud: directory.CloudPublic}
	preview := directory.Tenant{Cloud: directory.CloudPublic, PreviewOptIn: true}
	usgov := directory.Tenant{Cloud: directory.CloudUSGov}
	cfg := func(a AllowExternal) EmailConfig { c := DefaultEmailConfig(); c.AllowExternal = a; return c }
	cases := []struct {
		rule   string
		cfg    EmailConfig
		tenant directory.Tenant
		now    time.Time
		want   Effective
	}{
		{"S4_default_before_auto_enable_date", cfg(AllowDefault), public, before, Effective{false, ReasonBeforeAutoEnable}},
		{"S4_default_after_auto_enable_date", cfg(AllowDefault), public, after, Effective{true, ReasonAutoEnabled}},
		{"S4_preview_opt_in_does_not_auto_enable", cfg(AllowDefault), preview, after, Effective{false, ReasonPreviewOptIn}},
		{"S4_preview_opt_in_explicitly_enabled", cfg(AllowEnabled), preview, after, Effective{true, ReasonExplicitEnabled}},
		{"R11_usgov_default_is_disabled", cfg(AllowDefault), usgov, after, Effective{false, ReasonUSGovDefault}},
		{"R11_usgov_explicitly_enabled", cfg(AllowEnabled), usgov, after, Effective{true, ReasonExplicitEnabled}},
		{"R9_explicitly_disabled", cfg(AllowDisabled), public, after, Effective{false, ReasonExplicitDisabled}},
		{"R8_explicitly_enabled_before_date", cfg(AllowEnabled), public, before, Effective{true, ReasonExplicitEnabled}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := EffectiveEmailOTP(c.cfg, c.tenant, auto, c.now); got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
