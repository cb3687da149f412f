package groups

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of a group's properties, as Graph's group resource documents them
// (description has no documented limit; 1024 keeps rows bounded).
const (
	MaxDisplayName  = 256
	MaxMailNickname = 64
	MaxDescription  = 1024
	// MaxNesting bounds how far up the nesting the cycle check and
	// transitiveMemberOf walk: a walk that reaches it is refused rather
	// than left unbounded.
	MaxNesting = 1000
)

// Errors of the rules. The admin API answers them 400 (Request_BadRequest).
var (
	// ErrDisplayName: displayName is required, at most 256 characters.
	ErrDisplayName = errors.New("displayName is required and may have at most 256 characters")
	// ErrMailNickname: mailNickname is required, at most 64 ASCII
	// characters, none of @ ( ) \ [ ] " ; : < > , or space.
	ErrMailNickname = errors.New(`mailNickname is required: at most 64 ASCII characters, none of @ ( ) \ [ ] " ; : < > , or space`)
	// ErrDescription: description may have at most 1024 characters.
	ErrDescription = errors.New("description may have at most 1024 characters")
	// ErrCycle: adding the member would make a group contain itself.
	ErrCycle = errors.New("a group cannot be a member of itself, directly or through its members")
	// ErrTooDeep: the nesting above a group is deeper than MaxNesting.
	ErrTooDeep = errors.New("the group nesting is too deep")
)

// nicknameForbidden are the characters Graph refuses in mailNickname.
const nicknameForbidden = `@()\[]";:<>, `

// Validate checks a group's names and description.
func Validate(displayName, mailNickname, description string) error {
	if strings.TrimSpace(displayName) == "" || utf8.RuneCountInString(displayName) > MaxDisplayName {
		return ErrDisplayName
	}
	if err := validateNickname(mailNickname); err != nil {
		return err
	}
	if utf8.RuneCountInString(description) > MaxDescription {
		return ErrDescription
	}
	return nil
}

func validateNickname(s string) error {
	if s == "" || len(s) > MaxMailNickname {
		return ErrMailNickname
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || strings.IndexByte(nicknameForbidden, c) >= 0 {
			return fmt.Errorf("%w: %q", ErrMailNickname, s)
		}
	}
	return nil
}

// DecideAddMember says whether memberID may join groupID, given the ids of
// every group that contains groupID, however deep (its transitive
// memberOf). A group joining itself, or one of the groups that contain
// it, would contain itself: ErrCycle. A user member never makes a cycle.
func DecideAddMember(groupID, memberID, memberType string, ancestors []string) error {
	if memberType != MemberGroup {
		return nil
	}
	if memberID == groupID {
		return ErrCycle
	}
	for _, a := range ancestors {
		if a == memberID {
			return ErrCycle
		}
	}
	return nil
}

// CheckMemberGroups returns the ids of wanted found in memberOf (the
// member's transitive groups), in wanted's order, each once.
func CheckMemberGroups(wanted, memberOf []string) []string {
	in := make(map[string]bool, len(memberOf))
	for _, id := range memberOf {
		in[strings.ToLower(id)] = true
	}
	out := []string{}
	seen := map[string]bool{}
	for _, id := range wanted {
		k := strings.ToLower(id)
		if in[k] && !seen[k] {
			seen[k] = true
			out = append(out, id)
		}
	}
	return out
}
