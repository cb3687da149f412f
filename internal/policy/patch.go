package policy

import (
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/validation"
)

// Patch is a partial update of the configuration (Graph PATCH): nil fields
// are left as they are.
type Patch struct {
	State          *string
	AllowExternal  *AllowExternal
	IncludeTargets *[]Target
	ExcludeTargets *[]Target
}

// ValidationError is a value an admin must correct; the API answers 400.
type ValidationError = validation.Error

// Method states (Graph's authenticationMethodState).
const (
	StateEnabled  = "enabled"
	StateDisabled = "disabled"
)

// maxTargets bounds each target list.
const maxTargets = 100

// Validate checks every value the patch sets (section 4: only default,
// enabled and disabled for allowExternalIdToUseEmailOtp; enabled or
// disabled for state; group or user targets with an id).
func (p Patch) Validate() error {
	if p.State != nil && *p.State != StateEnabled && *p.State != StateDisabled {
		return &ValidationError{Property: "state", Message: fmt.Sprintf("%q is not one of enabled, disabled", *p.State)}
	}
	if p.AllowExternal != nil && !p.AllowExternal.Valid() {
		return &ValidationError{Property: "allowExternalIdToUseEmailOtp", Message: fmt.Sprintf("%q is not one of default, enabled, disabled", string(*p.AllowExternal))}
	}
	if p.IncludeTargets != nil {
		if err := validateTargets("includeTargets", *p.IncludeTargets); err != nil {
			return err
		}
	}
	if p.ExcludeTargets != nil {
		if err := validateTargets("excludeTargets", *p.ExcludeTargets); err != nil {
			return err
		}
	}
	return nil
}

func validateTargets(property string, ts []Target) error {
	if len(ts) > maxTargets {
		return &ValidationError{Property: property, Message: fmt.Sprintf("at most %d targets", maxTargets)}
	}
	seen := map[string]bool{}
	for _, t := range ts {
		if t.TargetType != "group" && t.TargetType != "user" {
			return &ValidationError{Property: property, Message: fmt.Sprintf("targetType %q is not one of group, user", t.TargetType)}
		}
		id := strings.TrimSpace(t.ID)
		if id == "" || len(id) > 256 {
			return &ValidationError{Property: property, Message: "every target needs an id of 1 to 256 characters"}
		}
		if seen[strings.ToLower(id)] {
			return &ValidationError{Property: property, Message: fmt.Sprintf("target %q is listed twice", id)}
		}
		seen[strings.ToLower(id)] = true
	}
	return nil
}

// Apply returns cfg with the patch's values. It does not validate.
func (p Patch) Apply(cfg EmailConfig) EmailConfig {
	if p.State != nil {
		cfg.State = *p.State
	}
	if p.AllowExternal != nil {
		cfg.AllowExternal = *p.AllowExternal
	}
	if p.IncludeTargets != nil {
		cfg.IncludeTargets = append([]Target{}, *p.IncludeTargets...)
	}
	if p.ExcludeTargets != nil {
		cfg.ExcludeTargets = append([]Target{}, *p.ExcludeTargets...)
	}
	return cfg
}

// ClearsPreview reports whether the patch returns a preview tenant to the
// three options: it sets allowExternalIdToUseEmailOtp to default (section 4).
func (p Patch) ClearsPreview() bool {
	return p.AllowExternal != nil && *p.AllowExternal == AllowDefault
}

// RevertPatch is the patch DELETE applies: every property back to
// DefaultEmailConfig (which also clears the preview flag).
func RevertPatch() Patch {
	d := DefaultEmailConfig()
	return Patch{State: &d.State, AllowExternal: &d.AllowExternal, IncludeTargets: &d.IncludeTargets, ExcludeTargets: &d.ExcludeTargets}
}
