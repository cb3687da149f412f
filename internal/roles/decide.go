package roles

import (
	"errors"
	"slices"
)

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

	UserDeleteRestoreAll               = "User.DeleteRestore.All"
	UserRevokeSessionsAll              = "User.RevokeSessions.All"
	OrganizationReadAll                = "Organization.Read.All"
	OrganizationReadWriteAll           = "Organization.ReadWrite.All"
	OrganizationalBrandingReadAll      = "OrganizationalBranding.Read.All"
	OrganizationalBrandingReadWriteAll = "OrganizationalBranding.ReadWrite.All"

	GroupReadAll            = "Group.Read.All"
	GroupReadWriteAll       = "Group.ReadWrite.All"
	GroupMemberReadAll      = "GroupMember.Read.All"
	GroupMemberReadWriteAll = "GroupMember.ReadWrite.All"

	ApplicationReadAll            = "Application.Read.All"
	ApplicationReadWriteAll       = "Application.ReadWrite.All"
	AppRoleAssignmentReadWriteAll = "AppRoleAssignment.ReadWrite.All"
)

// DelegatedScopes are the permissions an app may ask for on a user's
// behalf (Graph delegated scopes guestgate knows).
func DelegatedScopes() []string {
	return []string{
		UserReadAll, UserReadWriteAll, UserInviteAll,
		DirectoryReadAll, DirectoryReadWriteAll,
		PolicyReadAll, PolicyReadWriteAuthn, PolicyReadWriteAuthz,
		PolicyReadWriteXTenant, IdentityProviderReadAll, PolicyReadWriteIdP,
		AuditLogReadAll, RoleManagementRead, RoleManagementReadWrite,
		GroupReadAll, GroupReadWriteAll, GroupMemberReadAll, GroupMemberReadWriteAll,
		ApplicationReadAll, ApplicationReadWriteAll, AppRoleAssignmentReadWriteAll,
	}
}

// readOnly is what every member may do without a role (Entra's default
// user permissions: members read the directory, its groups, its apps and
// the tenant's policies).
var readOnly = []string{UserReadAll, DirectoryReadAll, PolicyReadAll, IdentityProviderReadAll, RoleManagementRead,
	GroupReadAll, GroupMemberReadAll, ApplicationReadAll}

// allowed is the table: what each role allows beyond readOnly. Global
// Administrator allows everything (see Allows).
var allowed = map[string][]string{
	// R10: the email OTP policy is changed by Global or Authentication
	// Policy Administrators only.
	AuthenticationPolicyAdministrator.TemplateID: {PolicyReadWriteAuthn},
	// Entra's User Administrator manages users and groups.
	UserAdministrator.TemplateID:   {UserReadWriteAll, UserInviteAll, GroupReadWriteAll, GroupMemberReadWriteAll},
	GroupsAdministrator.TemplateID: {GroupReadWriteAll, GroupMemberReadWriteAll},
	// Entra's application administrators manage apps and who is assigned
	// to them.
	ApplicationAdministrator.TemplateID:      {ApplicationReadWriteAll, AppRoleAssignmentReadWriteAll},
	CloudApplicationAdministrator.TemplateID: {ApplicationReadWriteAll, AppRoleAssignmentReadWriteAll},
	GuestInviter.TemplateID:                  {UserInviteAll},
	SecurityReader.TemplateID:                {AuditLogReadAll},
	ReportsReader.TemplateID:                 {AuditLogReadAll},
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
			id == UserAdministrator.TemplateID || id == GuestInviter.TemplateID || id == GroupsAdministrator.TemplateID ||
			id == ApplicationAdministrator.TemplateID || id == CloudApplicationAdministrator.TemplateID {
			return true
		}
	}
	return false
}

// Authority is what a caller may do to other users' accounts under R14:
// the operator on the box (the CLI and housekeeping), a signed-in member
// with directory roles (the console, a delegated token), or an app with
// Graph application permissions (an app-only token). The zero value is a
// member without a role: whoever forgets to say who acts is refused every
// change R14 guards on an admin.
type Authority struct {
	operator bool
	// keepLastGA: an operator who still may not take the last Global
	// Administrator away (guestgate role remove without --force).
	keepLastGA  bool
	app         bool
	roleIDs     []string // a member's directory roles (template ids)
	permissions []string // an app's application permissions
}

// AsOperator is the operator's authority (the guestgate CLI on the box):
// everything, the last Global Administrator included, so an operator can
// always recover a tenant.
func AsOperator() Authority { return Authority{operator: true} }

// AsOperatorKeepingLastGlobalAdmin is the operator's authority without
// the right to take the last enabled Global Administrator away from a
// managed tenant: the CLI's role remove unless --force, so a slip does not
// leave a tenant without an administrator.
func AsOperatorKeepingLastGlobalAdmin() Authority {
	return Authority{operator: true, keepLastGA: true}
}

// AsMember is the authority of a signed-in member holding roleIDs
// (template ids): in the console and with a delegated token.
func AsMember(roleIDs []string) Authority { return Authority{roleIDs: slices.Clone(roleIDs)} }

// AsApp is the authority of an app with an app-only token granted
// permissions (Graph application permission names).
func AsApp(permissions []string) Authority {
	return Authority{app: true, permissions: slices.Clone(permissions)}
}

// Action is a change to a user's account that R14 guards: each lets
// whoever makes it sign in as the user, lock the user out, or end the
// account.
type Action string

// The guarded changes.
const (
	ResetRedemption Action = "reset the redemption status"
	// ChangeSignInAddress changes mail, otherMails or identities.
	ChangeSignInAddress Action = "change the sign-in address"
	EnableAccount       Action = "enable the account"
	DisableAccount      Action = "disable the account"
	DeleteUser          Action = "delete the user"
	RestoreUser         Action = "restore the user"
	PurgeUser           Action = "permanently delete the user"
	RevokeSessions      Action = "revoke the sign-in sessions"
	SetPassword         Action = "set the password"
	// RemoveRole takes a role other than Global Administrator away;
	// RemoveGlobalAdministrator takes Global Administrator away.
	RemoveRole                Action = "remove a role"
	RemoveGlobalAdministrator Action = "remove the Global Administrator role"
)

// Refusals of DecideChange.
var (
	// ErrPrivilegedTarget: the user holds an admin role the caller does not
	// manage (R14). The admin API answers Graph's 403.
	ErrPrivilegedTarget = errors.New("the user holds an administrator role that only a Global Administrator (or a role that manages that role) can change")
	// ErrLastGlobalAdmin: the change would leave a managed tenant without
	// an enabled Global Administrator (R14).
	ErrLastGlobalAdmin = errors.New("the last Global Administrator of the organization cannot be disabled, deleted or removed from the role")
)

// managers lists, for a role, the roles other than Global Administrator
// whose holders may make R14's changes to its holders: Entra's table of
// who may perform sensitive actions, for the roles guestgate has. Every
// other role (Global Administrator, Authentication Policy Administrator,
// Security Reader, a role guestgate does not know) is managed by Global
// Administrators only (Entra's Privileged Authentication Administrator,
// which also manages them, does not exist here).
var managers = map[string][]string{
	UserAdministrator.TemplateID:   {UserAdministrator.TemplateID},
	GuestInviter.TemplateID:        {UserAdministrator.TemplateID},
	ReportsReader.TemplateID:       {UserAdministrator.TemplateID},
	GroupsAdministrator.TemplateID: {UserAdministrator.TemplateID},
}

// Change is a guarded change with what DecideChange needs to know about
// its target.
type Change struct {
	Action Action
	// TargetRoles are the template ids of the roles the user holds.
	TargetRoles []string
	// TargetEnabled: the user's account is enabled (and not deleted).
	TargetEnabled bool
	// Managed: the tenant is managed (unmanaged directories and the
	// consumers directory have no administrators to keep).
	Managed bool
	// OtherGlobalAdmins counts the tenant's enabled Global Administrators
	// other than the user; it is read only when EndsGlobalAdmin.
	OtherGlobalAdmins int
}

// EndsGlobalAdmin reports whether c takes an enabled Global Administrator
// away from a managed tenant: disabling or deleting one, or removing the
// role from one.
func EndsGlobalAdmin(c Change) bool {
	if !c.Managed || !c.TargetEnabled || !slices.Contains(c.TargetRoles, GlobalAdministrator.TemplateID) {
		return false
	}
	return c.Action == DisableAccount || c.Action == DeleteUser || c.Action == RemoveGlobalAdministrator
}

// DecideChange is R14. A change to a user who holds an admin role needs a
// caller who manages every role the user holds: a Global Administrator,
// or a role managers lists for it (a User Administrator manages User
// Administrators, Guest Inviters and Reports Readers); an app needs
// RoleManagement.ReadWrite.Directory (with which it could make itself a
// Global Administrator anyway), so User.ReadWrite.All and
// Directory.ReadWrite.All touch non-admins only. Otherwise the refusal is
// ErrPrivilegedTarget. Then no one but the operator may take the last
// enabled Global Administrator away from a managed tenant
// (ErrLastGlobalAdmin). The operator may do everything. It says nothing
// about non-admin targets beyond the last rule: the permission to change
// users at all is checked before (Allows).
func DecideChange(by Authority, c Change) error {
	if by.operator && !by.keepLastGA {
		return nil
	}
	if !by.operator && len(c.TargetRoles) > 0 && !by.manages(c.TargetRoles) {
		return ErrPrivilegedTarget
	}
	if EndsGlobalAdmin(c) && c.OtherGlobalAdmins < 1 {
		return ErrLastGlobalAdmin
	}
	return nil
}

// manages reports whether the authority may make R14's changes to a
// holder of every one of targetRoles.
func (a Authority) manages(targetRoles []string) bool {
	if a.app {
		return slices.Contains(a.permissions, RoleManagementReadWrite)
	}
	if slices.Contains(a.roleIDs, GlobalAdministrator.TemplateID) {
		return true
	}
	for _, r := range targetRoles {
		if !slices.ContainsFunc(managers[r], func(m string) bool { return slices.Contains(a.roleIDs, m) }) {
			return false
		}
	}
	return true
}
