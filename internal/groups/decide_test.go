package groups

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		rule, name, nick, desc string
		want                   error
	}{
		{"names_given", "Partners", "partners", "Guests of partner firms", nil},
		{"displayName_required", "", "partners", "", ErrDisplayName},
		{"displayName_blank", "   ", "partners", "", ErrDisplayName},
		{"displayName_256_allowed", strings.Repeat("あ", 256), "p", "", nil},
		{"displayName_257_refused", strings.Repeat("a", 257), "p", "", ErrDisplayName},
		{"mailNickname_required", "Partners", "", "", ErrMailNickname},
		{"mailNickname_64_allowed", "Partners", strings.Repeat("n", 64), "", nil},
		{"mailNickname_65_refused", "Partners", strings.Repeat("n", 65), "", ErrMailNickname},
		{"mailNickname_no_space", "Partners", "our partners", "", ErrMailNickname},
		{"mailNickname_no_at", "Partners", "p@x", "", ErrMailNickname},
		{"mailNickname_no_brackets", "Partners", "p[1]", "", ErrMailNickname},
		{"mailNickname_ascii_only", "Partners", "パートナー", "", ErrMailNickname},
		{"mailNickname_dots_dashes_ok", "Partners", "ext.partners-2026_a", "", nil},
		{"description_1024_allowed", "Partners", "p", strings.Repeat("d", 1024), nil},
		{"description_1025_refused", "Partners", "p", strings.Repeat("d", 1025), ErrDescription},
	} {
		t.Run(c.rule, func(t *testing.T) {
			err := Validate(c.name, c.nick, c.desc)
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("Validate = %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecideAddMember(t *testing.T) {
	for _, c := range []struct {
		rule, group, member, kind string
		ancestors                 []string
		want                      error
	}{
		{"user_member_allowed", "g1", "u1", MemberUser, nil, nil},
		{"user_with_group_id_never_a_cycle", "g1", "g1", MemberUser, nil, nil},
		{"group_member_allowed", "g1", "g2", MemberGroup, []string{"g0"}, nil},
		{"group_cannot_contain_itself", "g1", "g1", MemberGroup, nil, ErrCycle},
		{"parent_cannot_join_child", "g2", "g1", MemberGroup, []string{"g1"}, ErrCycle},
		{"grandparent_cannot_join_grandchild", "g3", "g1", MemberGroup, []string{"g2", "g1"}, ErrCycle},
	} {
		t.Run(c.rule, func(t *testing.T) {
			if err := DecideAddMember(c.group, c.member, c.kind, c.ancestors); err != c.want {
				t.Fatalf("DecideAddMember = %v, want %v", err, c.want)
			}
		})
	}
}

func TestCheckMemberGroups(t *testing.T) {
	for _, c := range []struct {
		rule             string
		wanted, memberOf []string
		want             []string
	}{
		{"none_asked_none_found", nil, []string{"a"}, []string{}},
		{"found_in_asked_order", []string{"c", "x", "a"}, []string{"a", "b", "c"}, []string{"c", "a"}},
		{"duplicates_answered_once", []string{"a", "A", "a"}, []string{"a"}, []string{"a"}},
		{"not_member_of_any", []string{"a"}, nil, []string{}},
	} {
		t.Run(c.rule, func(t *testing.T) {
			if got := CheckMemberGroups(c.wanted, c.memberOf); !slices.Equal(got, c.want) {
				t.Fatalf("CheckMemberGroups = %v, want %v", got, c.want)
			}
		})
	}
}
