package policy

import (
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

// Reason explains an effective state, for the console, the CLI and logs.
type Reason string

// Reasons for the effective state (DESIGN section 4).
const (
	ReasonExplicitEnabled  Reason = "explicitly enabled"
	ReasonExplicitDisabled Reason = "explicitly disabled"
	ReasonAutoEnabled      Reason = "default: enabled since the auto-enable date passed"
	ReasonBeforeAutoEnable Reason = "default: not enabled before the auto-enable date"
	ReasonPreviewOptIn     Reason = "default: the tenant opted into the preview, so it does not auto-enable"
	ReasonUSGovDefault     Reason = "default: disabled in the US Government cloud"
)

// Effective is whether guests may redeem and sign in with email passcodes, and why.
type Effective struct {
	Enabled bool
	Reason  Reason
}

// EffectiveEmailOTP computes the effective state for guests (R8–R11,
// section 4). autoEnable is the deployment's auto-enable date.
func EffectiveEmailOTP(cfg EmailConfig, t directory.Tenant, autoEnable, now time.Time) Effective {
	switch cfg.AllowExternal {
	case AllowEnabled:
		return Effective{Enabled: true, Reason: ReasonExplicitEnabled}
	case AllowDisabled:
		return Effective{Enabled: false, Reason: ReasonExplicitDisabled}
	}
	switch {
	case t.Cloud == directory.CloudUSGov:
		return Effective{Enabled: false, Reason: ReasonUSGovDefault}
	case t.PreviewOptIn:
		return Effective{Enabled: false, Reason: ReasonPreviewOptIn}
	case now.Before(autoEnable):
		return Effective{Enabled: false, Reason: ReasonBeforeAutoEnable}
	}
	return Effective{Enabled: true, Reason: ReasonAutoEnabled}
}

// DefaultAutoEnableDate is the date the reproduced product used (October 2021).
var DefaultAutoEnableDate = time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC)
