package roles

import "slices"

// Graph permission names, the vocabulary of both app roles, delegated
// scopes and what directory roles allow.
const (
	UserReadAll             = "User.Read.All"
	UserReadWriteAll        = "User.ReadWrite.All"
	UserInviteAll           = "User.Invite.All"
	DirectoryReadAll        = "Directory.Read.All"
	DirectoryReadWriteAll   = "Directory.ReadWrite.All"
	PolicyReadAll           = "Policy.Read.All"
	PolicyReadWriteAuthn    = "Policy.ReadWrite.AuthenticationMethod"
	PolicyReadWriteAuthz    = "Policy.ReadWrite.Authorization"
	PolicyReadWriteXTenant  = "Policy.ReadWrite.CrossTenantAccess"
	PolicyReadWriteIdP      = "IdentityProvider.ReadWrite.All"
	IdentityProviderReadAll = "IdentityProvider.Read.All"
	AuditLogReadAll         = "AuditLog.Read.All"
	RoleManagementRead      = "RoleManagement.Read.Directory"
	RoleManagementReadWrite = "RoleManagement.ReadWrite.Directory"
)

// readOnly is what every member may do without a role (Entra's default
// user permissions: members read the directory and the tenant's policies).
var readOnly = []string{UserReadAll, DirectoryReadAll, PolicyReadAll, IdentityProviderReadAll, RoleManagementRead}

// allowed is the table: what each role allows beyond readOnly. Global
// Administrator allows everything (see Allows).
var allowed = map[string][]string{
	// R10: the email OTP policy is changed by Global or Authentication
	// Policy Administrators only.
	AuthenticationPolicyAdministrator.TemplateID: {PolicyReadWriteAuthn},
	UserAdministrator.TemplateID:                 {UserReadWriteAll, UserInviteAll},
	GuestInviter.TemplateID:                      {UserInviteAll},
	SecurityReader.TemplateID:                    {AuditLogReadAll},
	ReportsReader.TemplateID:                     {AuditLogReadAll},
}

// Allows reports whether a member holding the roles (template ids) may use
// permission. It is the member's side only: a delegated token also needs
// the permission among its scopes, and inviting also depends on the
// tenant's authorizationPolicy (see InviteAllowed).
func Allows(roleIDs []string, permission string) bool {
	if slices.Contains(roleIDs, GlobalAdministrator.TemplateID) {
		return true
	}
	if slices.Contains(readOnly, permission) {
		return true
	}
	for _, id := range roleIDs {
		if slices.Contains(allowed[id], permission) {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the roles include one that changes anything.
func IsAdmin(roleIDs []string) bool {
	for _, id := range roleIDs {
		if id == GlobalAdministrator.TemplateID || id == AuthenticationPolicyAdministrator.TemplateID ||
			id == UserAdministrator.TemplateID || id == GuestInviter.TemplateID {
			return true
		}
	}
	return false
}
