package policy

import "github.com/guestgate/guestgate/internal/audit"

// Audit names of a change of the redemption configuration, as Microsoft
// Entra logs a change of the default cross-tenant access settings (Core
// Directory service, CrossTenantAccessSettings category).
const (
	ActivityRedemptionUpdate  = "Update the company default cross-tenant access setting"
	LoggedByServiceRedemption = "Core Directory"
)

// Audit target of a redemption configuration change: the tenant's default
// cross-tenant access policy.
const (
	redemptionTargetID   = "default"
	redemptionTargetName = "Default cross-tenant access setting"
)

// RedemptionChanges lists what an update did, for its audit record: every
// property the patch set, with its old and new value (also when equal, so
// each record shows the value it left). Property names are Graph's, under
// invitationRedemptionIdentityProviderConfiguration.
func RedemptionChanges(p RedemptionPatch, old, new RedemptionConfig) ([]audit.Change, error) {
	return audit.ChangesOf(
		audit.Prop{Name: PropPrecedence, Set: p.Precedence != nil, Old: nonNilNames(old.Precedence), New: nonNilNames(new.Precedence)},
		audit.Prop{Name: PropFallback, Set: p.Fallback != nil, Old: old.Fallback, New: new.Fallback},
	)
}

func nonNilNames(ns []string) []string {
	if ns == nil {
		return []string{}
	}
	return ns
}

// redemptionAuditRecord is the record of one redemption configuration update.
func redemptionAuditRecord(tenantID string, by audit.Actor, changes []audit.Change) audit.Record {
	return audit.Record{
		TenantID: tenantID, Category: audit.CategoryCrossTenantAccessSettings,
		Activity: ActivityRedemptionUpdate, LoggedByService: LoggedByServiceRedemption, OperationType: audit.OperationUpdate,
		InitiatedBy: by,
		Targets:     []audit.Target{{ID: redemptionTargetID, DisplayName: redemptionTargetName, Type: "Policy", Modified: changes}},
	}
}
