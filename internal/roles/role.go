package roles

import "strings"

// Role is a built-in directory role (Graph's unifiedRoleDefinition).
type Role struct {
	// TemplateID is the role's id, the same in every tenant.
	TemplateID  string
	DisplayName string
	Description string
}

// The built-in roles guestgate knows (template ids as Microsoft Graph publishes them).
var (
	GlobalAdministrator = Role{"62e90394-69f5-4237-9190-012177145e10", "Global Administrator",
		"Can manage all aspects of the tenant."}
	AuthenticationPolicyAdministrator = Role{"0526716b-113d-4c15-b2c8-68e3c22b9f80", "Authentication Policy Administrator",
		"Can create and manage the authentication methods policy, including email one-time passcodes."}
	UserAdministrator = Role{"fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator",
		"Can manage all aspects of users, guests included."}
	GuestInviter = Role{"95e79109-95c0-4d8e-aee3-d01accf2d47b", "Guest Inviter",
		"Can invite guest users independent of the 'members can invite guests' setting."}
	SecurityReader = Role{"5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader",
		"Can read security information, policies and reports."}
	GroupsAdministrator = Role{"fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator",
		"Can create and manage groups and their members, guests included."}
	ReportsReader = Role{"4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader",
		"Can read sign-in and audit reports."}
	ApplicationAdministrator = Role{"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator",
		"Can create and manage all aspects of app registrations and enterprise apps."}
	CloudApplicationAdministrator = Role{"158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator",
		"Can create and manage all aspects of app registrations and enterprise apps except App Proxy."}
)

// All lists the built-in roles, most powerful first.
func All() []Role {
	return []Role{GlobalAdministrator, AuthenticationPolicyAdministrator, UserAdministrator, GroupsAdministrator,
		ApplicationAdministrator, CloudApplicationAdministrator, GuestInviter, SecurityReader, ReportsReader}
}

// Lookup finds a role by template id, display name or display name without
// spaces, ignoring case ("Guest Inviter", "guestinviter", "95e79109-…").
func Lookup(s string) (Role, bool) {
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	for _, r := range All() {
		if key == r.TemplateID || key == strings.ToLower(strings.ReplaceAll(r.DisplayName, " ", "")) {
			return r, true
		}
	}
	return Role{}, false
}
