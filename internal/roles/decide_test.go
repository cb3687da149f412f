package roles

import (
	"errors"
	"testing"
)

func TestAllows(t *testing.T) {
	ga, apa, ua, gi, sr, rr := GlobalAdministrator.TemplateID, AuthenticationPolicyAdministrator.TemplateID,
		UserAdministrator.TemplateID, GuestInviter.TemplateID, SecurityReader.TemplateID, ReportsReader.TemplateID
	cases := []struct {
		rule, name string
		roles      []string
		perm       string
		want       bool
	}{
		{"R10", "global_admin_changes_policy", []string{ga}, PolicyReadWriteAuthn, true},
		{"R10", "auth_policy_admin_changes_policy", []string{apa}, PolicyReadWriteAuthn, true},
		{"R10", "user_admin_cannot_change_policy", []string{ua}, PolicyReadWriteAuthn, false},
		{"R10", "guest_inviter_cannot_change_policy", []string{gi}, PolicyReadWriteAuthn, false},
		{"R10", "no_role_cannot_change_policy", nil, PolicyReadWriteAuthn, false},
		{"R10", "no_role_reads_policy", nil, PolicyReadAll, true},
		{"R10", "security_reader_cannot_change_policy", []string{sr}, PolicyReadWriteAuthn, false},
		{"R10", "auth_policy_admin_cannot_invite", []string{apa}, UserInviteAll, false},
		{"R10", "guest_inviter_invites", []string{gi}, UserInviteAll, true},
		{"R10", "guest_inviter_cannot_change_users", []string{gi}, UserReadWriteAll, false},
		{"R10", "user_admin_changes_users", []string{ua}, UserReadWriteAll, true},
		{"R10", "user_admin_invites", []string{ua}, UserInviteAll, true},
		{"R10", "no_role_reads_users", nil, UserReadAll, true},
		{"R10", "no_role_cannot_change_users", nil, UserReadWriteAll, false},
		{"R10", "no_role_cannot_read_logs", nil, AuditLogReadAll, false},
		{"R10", "reports_reader_reads_logs", []string{rr}, AuditLogReadAll, true},
		{"R10", "security_reader_reads_logs", []string{sr}, AuditLogReadAll, true},
		{"R10", "only_global_admin_assigns_roles", []string{ua, apa, gi}, RoleManagementReadWrite, false},
		{"R10", "global_admin_assigns_roles", []string{ga}, RoleManagementReadWrite, true},
		{"R10", "only_global_admin_changes_collaboration", []string{ua, apa}, PolicyReadWriteAuthz, false},
		{"R10", "global_admin_changes_collaboration", []string{ga}, PolicyReadWriteAuthz, true},
		{"groups", "groups_admin_changes_groups", []string{GroupsAdministrator.TemplateID}, GroupReadWriteAll, true},
		{"groups", "groups_admin_changes_members", []string{GroupsAdministrator.TemplateID}, GroupMemberReadWriteAll, true},
		{"groups", "groups_admin_cannot_change_users", []string{GroupsAdministrator.TemplateID}, UserReadWriteAll, false},
		{"groups", "groups_admin_cannot_invite", []string{GroupsAdministrator.TemplateID}, UserInviteAll, false},
		{"groups", "user_admin_changes_groups", []string{ua}, GroupReadWriteAll, true},
		{"groups", "guest_inviter_cannot_change_groups", []string{gi}, GroupReadWriteAll, false},
		{"groups", "no_role_reads_groups", nil, GroupReadAll, true},
		{"groups", "no_role_reads_members", nil, GroupMemberReadAll, true},
		{"groups", "no_role_cannot_change_members", nil, GroupMemberReadWriteAll, false},
		{"R10", "unknown_role_allows_nothing_more", []string{"00000000-0000-0000-0000-000000000000"}, UserInviteAll, false},
	}
	for _, c := range cases {
		t.Run(c.rule+"_"+c.name, func(t *testing.T) {
			if got := Allows(c.roles, c.perm); got != c.want {
				t.Errorf("Allows(%v, %s) = %t, want %t", c.roles, c.perm, got, c.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for in, want := range map[string]Role{
		"Global Administrator":                 GlobalAdministrator,
		"globaladministrator":                  GlobalAdministrator,
		"62e90394-69f5-4237-9190-012177145e10": GlobalAdministrator,
		"Guest Inviter":                        GuestInviter,
		"AuthenticationPolicyAdministrator":    AuthenticationPolicyAdministrator,
		"reports reader":                       ReportsReader,
		"Groups Administrator":                 GroupsAdministrator,
		"fdd7a751-b60b-444a-984c-02652fe8fa1c": GroupsAdministrator,
	} {
		if got, ok := Lookup(in); !ok || got != want {
			t.Errorf("Lookup(%q) = %v, %t; want %v", in, got, ok, want)
		}
	}
	if _, ok := Lookup("Helpdesk Administrator"); ok {
		t.Error("Lookup found a role guestgate does not have")
	}
}

// TestDecideChange: R14, who may reset, re-address, disable, delete,
// restore, purge, revoke the sessions of or set the password of an admin,
// and that a managed tenant keeps an enabled Global Administrator (finding
// 1 of the second security review).
func TestDecideChange(t *testing.T) {
	ga, apa, ua, gi, sr, rr := GlobalAdministrator.TemplateID, AuthenticationPolicyAdministrator.TemplateID,
		UserAdministrator.TemplateID, GuestInviter.TemplateID, SecurityReader.TemplateID, ReportsReader.TemplateID
	unknown := "00000000-0000-0000-0000-000000000000"
	target := func(a Action, roles ...string) Change {
		return Change{Action: a, TargetRoles: roles, TargetEnabled: true, Managed: true, OtherGlobalAdmins: 1}
	}
	last := func(a Action) Change {
		return Change{Action: a, TargetRoles: []string{ga}, TargetEnabled: true, Managed: true}
	}
	cases := []struct {
		rule, name string
		by         Authority
		change     Change
		want       error
	}{
		// The reviewer's attack and its relatives: a User Administrator on a Global Administrator.
		{"R14", "user_admin_cannot_reset_global_admin", AsMember([]string{ua}), target(ResetRedemption, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_change_global_admin_mail", AsMember([]string{ua}), target(ChangeSignInAddress, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_disable_global_admin", AsMember([]string{ua}), target(DisableAccount, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_enable_global_admin", AsMember([]string{ua}), target(EnableAccount, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_delete_global_admin", AsMember([]string{ua}), target(DeleteUser, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_restore_global_admin", AsMember([]string{ua}), target(RestoreUser, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_purge_global_admin", AsMember([]string{ua}), target(PurgeUser, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_revoke_global_admin", AsMember([]string{ua}), target(RevokeSessions, ga), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_set_global_admin_password", AsMember([]string{ua}), target(SetPassword, ga), ErrPrivilegedTarget},
		// Non-admins: the rule adds nothing.
		{"R14", "user_admin_resets_plain_user", AsMember([]string{ua}), target(ResetRedemption), nil},
		{"R14", "user_admin_deletes_plain_user", AsMember([]string{ua}), target(DeleteUser), nil},
		{"R14", "app_with_user_readwrite_resets_plain_user", AsApp([]string{UserReadWriteAll}), target(ResetRedemption), nil},
		// Global Administrators manage every role.
		{"R14", "global_admin_resets_global_admin", AsMember([]string{ga}), target(ResetRedemption, ga), nil},
		{"R14", "global_admin_disables_another_global_admin", AsMember([]string{ga}), target(DisableAccount, ga), nil},
		{"R14", "global_admin_changes_policy_admin_mail", AsMember([]string{ga}), target(ChangeSignInAddress, apa), nil},
		// Entra's table: a User Administrator manages User Administrators, Guest Inviters and Reports Readers only.
		{"R14", "user_admin_resets_user_admin", AsMember([]string{ua}), target(ResetRedemption, ua), nil},
		{"R14", "user_admin_disables_guest_inviter", AsMember([]string{ua}), target(DisableAccount, gi), nil},
		{"R14", "user_admin_revokes_reports_reader", AsMember([]string{ua}), target(RevokeSessions, rr), nil},
		{"R14", "user_admin_disables_groups_admin", AsMember([]string{ua}), target(DisableAccount, GroupsAdministrator.TemplateID), nil},
		{"R14", "groups_admin_cannot_disable_groups_admin", AsMember([]string{GroupsAdministrator.TemplateID}), target(DisableAccount, GroupsAdministrator.TemplateID), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_reset_policy_admin", AsMember([]string{ua}), target(ResetRedemption, apa), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_reset_security_reader", AsMember([]string{ua}), target(ResetRedemption, sr), ErrPrivilegedTarget},
		{"R14", "user_admin_cannot_reset_unknown_role", AsMember([]string{ua}), target(ResetRedemption, unknown), ErrPrivilegedTarget},
		{"R14", "every_role_of_the_target_must_be_managed", AsMember([]string{ua}), target(ResetRedemption, gi, ga), ErrPrivilegedTarget},
		{"R14", "policy_admin_cannot_reset_guest_inviter", AsMember([]string{apa}), target(ResetRedemption, gi), ErrPrivilegedTarget},
		{"R14", "guest_inviter_cannot_reset_guest_inviter", AsMember([]string{gi}), target(ResetRedemption, gi), ErrPrivilegedTarget},
		{"R14", "no_role_cannot_touch_an_admin", AsMember(nil), target(RevokeSessions, rr), ErrPrivilegedTarget},
		{"R14", "zero_authority_fails_closed", Authority{}, target(DeleteUser, gi), ErrPrivilegedTarget},
		// Apps: User.ReadWrite.All and Directory.ReadWrite.All touch non-admins only.
		{"R14", "app_with_user_readwrite_cannot_reset_global_admin", AsApp([]string{UserReadWriteAll}), target(ResetRedemption, ga), ErrPrivilegedTarget},
		{"R14", "app_with_directory_readwrite_cannot_delete_global_admin", AsApp([]string{DirectoryReadWriteAll, UserReadWriteAll}), target(DeleteUser, ga), ErrPrivilegedTarget},
		{"R14", "app_with_user_readwrite_cannot_reset_guest_inviter", AsApp([]string{UserReadWriteAll}), target(ResetRedemption, gi), ErrPrivilegedTarget},
		{"R14", "app_with_role_management_resets_global_admin", AsApp([]string{UserReadWriteAll, RoleManagementReadWrite}), target(ResetRedemption, ga), nil},
		// The operator on the box may do everything.
		{"R14", "operator_resets_global_admin", AsOperator(), target(ResetRedemption, ga), nil},
		{"R14", "operator_disables_last_global_admin", AsOperator(), last(DisableAccount), nil},
		{"R14", "operator_deletes_last_global_admin", AsOperator(), last(DeleteUser), nil},
		{"R14", "operator_removes_last_global_admin_role_when_forced", AsOperator(), last(RemoveGlobalAdministrator), nil},
		{"R14", "operator_keeping_last_global_admin_refused", AsOperatorKeepingLastGlobalAdmin(), last(RemoveGlobalAdministrator), ErrLastGlobalAdmin},
		{"R14", "operator_keeping_last_global_admin_removes_another", AsOperatorKeepingLastGlobalAdmin(), target(RemoveGlobalAdministrator, ga), nil},
		{"R14", "operator_keeping_last_global_admin_manages_every_role", AsOperatorKeepingLastGlobalAdmin(), target(RemoveRole, apa, ga), nil},
		{"R14", "user_admin_removes_guest_inviter_role", AsMember([]string{ua}), target(RemoveRole, gi), nil},
		{"R14", "user_admin_cannot_remove_role_of_policy_admin", AsMember([]string{ua}), target(RemoveRole, apa), ErrPrivilegedTarget},
		// The last enabled Global Administrator of a managed tenant stays.
		{"R14", "last_global_admin_not_disabled", AsMember([]string{ga}), last(DisableAccount), ErrLastGlobalAdmin},
		{"R14", "last_global_admin_not_deleted", AsMember([]string{ga}), last(DeleteUser), ErrLastGlobalAdmin},
		{"R14", "last_global_admin_keeps_the_role", AsMember([]string{ga}), last(RemoveGlobalAdministrator), ErrLastGlobalAdmin},
		{"R14", "last_global_admin_not_disabled_by_app", AsApp([]string{RoleManagementReadWrite}), last(DisableAccount), ErrLastGlobalAdmin},
		{"R14", "last_global_admin_may_lose_another_role", AsMember([]string{ga}), last(RemoveRole), nil},
		{"R14", "last_global_admin_sessions_revoked", AsMember([]string{ga}), last(RevokeSessions), nil},
		{"R14", "last_global_admin_reset", AsMember([]string{ga}), last(ResetRedemption), nil},
		{"R14", "last_global_admin_enabled", AsMember([]string{ga}), last(EnableAccount), nil},
		{"R14", "global_admin_disabled_when_another_remains", AsMember([]string{ga}), target(DisableAccount, ga), nil},
		{"R14", "disabled_global_admin_deleted", AsMember([]string{ga}), Change{Action: DeleteUser, TargetRoles: []string{ga}, Managed: true}, nil},
		{"R14", "unmanaged_directory_has_no_admin_to_keep", AsMember([]string{ga}), Change{Action: DeleteUser, TargetRoles: []string{ga}, TargetEnabled: true}, nil},
		{"R14", "user_admin_on_last_global_admin_is_refused_as_privileged", AsMember([]string{ua}), last(DisableAccount), ErrPrivilegedTarget},
	}
	for _, c := range cases {
		t.Run(c.rule+"_"+c.name, func(t *testing.T) {
			if got := DecideChange(c.by, c.change); !errors.Is(got, c.want) || (got == nil) != (c.want == nil) {
				t.Errorf("DecideChange(%+v, %+v) = %v, want %v", c.by, c.change, got, c.want)
			}
		})
	}
}

// TestAsMemberCopiesRoles: an Authority does not change when the caller's
// slice does.
func TestAsMemberCopiesRoles(t *testing.T) {
	rs := []string{GlobalAdministrator.TemplateID}
	a := AsMember(rs)
	rs[0] = GuestInviter.TemplateID
	if err := DecideChange(a, Change{Action: DeleteUser, TargetRoles: []string{GlobalAdministrator.TemplateID}, OtherGlobalAdmins: 1}); err != nil {
		t.Fatalf("the authority changed with the caller's slice: %v", err)
	}
}
