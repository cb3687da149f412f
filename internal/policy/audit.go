package policy

import (
	"github.com/guestgate/guestgate/internal/audit"
)

// Audit names of policy changes (as the reproduced product logs them).
const (
	ActivityUpdate  = "Authentication Methods Policy Update"
	ActivityReset   = "Authentication Methods Policy Reset"
	LoggedByService = "Authentication Methods"
)

// Changes lists what an update did, for its audit record: every property
// the patch set, with its old and new value (also when equal, so each
// update's record shows the value it left), and previewOptIn when it
// changed.
func Changes(p Patch, old, new Stored) ([]audit.Change, error) {
	type prop struct {
		name     string
		set      bool
		old, new any
	}
	props := []prop{
		{"state", p.State != nil, old.Config.State, new.Config.State},
		{"allowExternalIdToUseEmailOtp", p.AllowExternal != nil, string(old.Config.AllowExternal), string(new.Config.AllowExternal)},
		{"includeTargets", p.IncludeTargets != nil, nonNil(old.Config.IncludeTargets), nonNil(new.Config.IncludeTargets)},
		{"excludeTargets", p.ExcludeTargets != nil, nonNil(old.Config.ExcludeTargets), nonNil(new.Config.ExcludeTargets)},
		{"previewOptIn", old.PreviewOptIn != new.PreviewOptIn, old.PreviewOptIn, new.PreviewOptIn},
	}
	var out []audit.Change
	for _, pr := range props {
		if !pr.set {
			continue
		}
		c, err := audit.Changed(pr.name, pr.old, pr.new)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func nonNil(ts []Target) []Target {
	if ts == nil {
		return []Target{}
	}
	return ts
}

// auditRecord is the record of one policy update in tenant tenantID.
func auditRecord(tenantID, activity string, by audit.Actor, changes []audit.Change) audit.Record {
	return audit.Record{
		TenantID: tenantID, Category: audit.CategoryApplicationManagement,
		Activity: activity, LoggedByService: LoggedByService, OperationType: audit.OperationUpdate,
		InitiatedBy: by,
		Targets:     []audit.Target{{ID: "Email", DisplayName: "Email", Type: "Policy", Modified: changes}},
	}
}
