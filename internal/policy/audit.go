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
	return audit.ChangesOf(
		audit.Prop{Name: "state", Set: p.State != nil, Old: old.Config.State, New: new.Config.State},
		audit.Prop{Name: "allowExternalIdToUseEmailOtp", Set: p.AllowExternal != nil, Old: string(old.Config.AllowExternal), New: string(new.Config.AllowExternal)},
		audit.Prop{Name: "includeTargets", Set: p.IncludeTargets != nil, Old: nonNil(old.Config.IncludeTargets), New: nonNil(new.Config.IncludeTargets)},
		audit.Prop{Name: "excludeTargets", Set: p.ExcludeTargets != nil, Old: nonNil(old.Config.ExcludeTargets), New: nonNil(new.Config.ExcludeTargets)},
		audit.Prop{Name: "previewOptIn", Set: old.PreviewOptIn != new.PreviewOptIn, Old: old.PreviewOptIn, New: new.PreviewOptIn},
	)
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
