package ratelimit

// Graph's write limit (Limits.GraphWrites) counts per writer in a tenant:
// Graph counts each app apart, and guestgate counts each member who
// writes through the console (invitations, single and bulk) apart in the
// same way, under the same rule. The two kinds never share a counter.

// AppWrites is the subject of an app's admin API writes in a tenant.
func AppWrites(tenantID, appID string) Subject {
	return Subject{Tenant: tenantID + "/" + appID}
}

// MemberWrites is the subject of a member's console writes in a tenant.
func MemberWrites(tenantID, userID string) Subject {
	return Subject{Tenant: tenantID + "/member/" + userID}
}
