package policy

import "time"

// AllowExternal is allowExternalIdToUseEmailOtp: whether guests may use email passcodes.
type AllowExternal string

// Values of allowExternalIdToUseEmailOtp (Graph spelling). Others are refused.
const (
	AllowDefault  AllowExternal = "default"
	AllowEnabled  AllowExternal = "enabled"
	AllowDisabled AllowExternal = "disabled"
)

// Valid reports whether a is one of the three accepted values.
func (a AllowExternal) Valid() bool {
	return a == AllowDefault || a == AllowEnabled || a == AllowDisabled
}

// Target is an include or exclude target of the method (stored and returned
// faithfully; it governs members, not guests).
type Target struct {
	TargetType             string `json:"targetType"`
	ID                     string `json:"id"`
	IsRegistrationRequired bool   `json:"isRegistrationRequired"`
}

// EmailConfig is a tenant's emailAuthenticationMethodConfiguration.
type EmailConfig struct {
	State          string // "enabled" or "disabled"
	AllowExternal  AllowExternal
	IncludeTargets []Target
	ExcludeTargets []Target
	UpdatedAt      time.Time
}

// DefaultEmailConfig is the configuration of a new tenant, and what DELETE restores.
func DefaultEmailConfig() EmailConfig {
	return EmailConfig{
		State:          "enabled",
		AllowExternal:  AllowDefault,
		IncludeTargets: []Target{{TargetType: "group", ID: "all_users"}},
		ExcludeTargets: []Target{},
	}
}
