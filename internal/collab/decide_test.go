package collab

import (
	"errors"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

func TestMayInvite(t *testing.T) {
	ga, ua, gi, apa := roles.GlobalAdministrator.TemplateID, roles.UserAdministrator.TemplateID, roles.GuestInviter.TemplateID, roles.AuthenticationPolicyAdministrator.TemplateID
	m, g := directory.UserTypeMember, directory.UserTypeGuest
	cases := []struct {
		rule, name string
		from       AllowInvitesFrom
		roles      []string
		typ        directory.UserType
		want       bool
	}{
		{"R10", "none_stops_global_admins", InvitesNone, []string{ga}, m, false},
		{"R10", "admins_and_inviters_global_admin", InvitesAdminsAndGuestInviter, []string{ga}, m, true},
		{"R10", "admins_and_inviters_user_admin", InvitesAdminsAndGuestInviter, []string{ua}, m, true},
		{"R10", "admins_and_inviters_guest_inviter", InvitesAdminsAndGuestInviter, []string{gi}, m, true},
		{"R10", "admins_and_inviters_not_policy_admin", InvitesAdminsAndGuestInviter, []string{apa}, m, false},
		{"R10", "admins_and_inviters_not_plain_member", InvitesAdminsAndGuestInviter, nil, m, false},
		{"R10", "all_members_plain_member", InvitesAdminsInvitersMembers, nil, m, true},
		{"R10", "all_members_not_guest", InvitesAdminsInvitersMembers, nil, g, false},
		{"R10", "everyone_guest", InvitesEveryone, nil, g, true},
	}
	for _, c := range cases {
		t.Run(c.rule+"_"+c.name, func(t *testing.T) {
			s := Settings{AllowInvitesFrom: c.from}
			if got := s.MayInvite(c.roles, c.typ); got != c.want {
				t.Errorf("MayInvite = %t, want %t", got, c.want)
			}
		})
	}
}

func TestCheckDomain(t *testing.T) {
	deny := Settings{DomainMode: DomainsDeny, Domains: []string{"denied.example"}}
	allow := Settings{DomainMode: DomainsAllow, Domains: []string{"partner.example"}}
	cases := []struct {
		name    string
		s       Settings
		addr    string
		blocked bool
	}{
		{"any_domain", Settings{DomainMode: DomainsAny}, "a@denied.example", false},
		{"deny_list_blocks", deny, "a@Denied.Example", true},
		{"deny_list_blocks_subdomains", deny, "a@eu.denied.example", true},
		{"deny_list_lets_others", deny, "a@partner.example", false},
		{"deny_list_not_a_suffix_match", deny, "a@notdenied.example", false},
		{"allow_list_lets_listed", allow, "a@partner.example", false},
		{"allow_list_blocks_others", allow, "a@other.example", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.s.CheckDomain(c.addr)
			var de *DomainError
			if got := errors.As(err, &de); got != c.blocked {
				t.Fatalf("CheckDomain(%q) = %v, blocked want %t", c.addr, err, c.blocked)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := Settings{AllowInvitesFrom: InvitesEveryone, GuestUserRoleID: GuestRoleLimited, DomainMode: DomainsDeny, Domains: []string{" B.example", "a.example", "b.example"}}
	got, err := ok.Validate()
	if err != nil || len(got.Domains) != 2 || got.Domains[0] != "a.example" {
		t.Fatalf("Validate = %+v, %v", got, err)
	}
	for name, s := range map[string]Settings{
		"unknown_allow_invites_from": {AllowInvitesFrom: "admins", GuestUserRoleID: GuestRoleLimited, DomainMode: DomainsAny},
		"unknown_guest_role":         {AllowInvitesFrom: InvitesNone, GuestUserRoleID: "x", DomainMode: DomainsAny},
		"empty_deny_list":            {AllowInvitesFrom: InvitesNone, GuestUserRoleID: GuestRoleLimited, DomainMode: DomainsDeny},
		"list_without_mode":          {AllowInvitesFrom: InvitesNone, GuestUserRoleID: GuestRoleLimited, DomainMode: DomainsAny, Domains: []string{"a.example"}},
		"address_not_domain":         {AllowInvitesFrom: InvitesNone, GuestUserRoleID: GuestRoleLimited, DomainMode: DomainsDeny, Domains: []string{"a@b.example"}},
	} {
		if _, err := s.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		}
	}
}
