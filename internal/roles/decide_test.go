package roles

import "testing"

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
	} {
		if got, ok := Lookup(in); !ok || got != want {
			t.Errorf("Lookup(%q) = %v, %t; want %v", in, got, ok, want)
		}
	}
	if _, ok := Lookup("Helpdesk Administrator"); ok {
		t.Error("Lookup found a role guestgate does not have")
	}
}
