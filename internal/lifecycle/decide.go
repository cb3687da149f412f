package lifecycle

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/validation"
)

// Patch is a partial update of a user (PATCH /v1.0/users/{id}): a nil
// field is left as it is. An empty PreferredLanguage, GivenName, Surname
// or JobTitle clears it; an empty OtherMails clears the list.
type Patch struct {
	DisplayName       *string
	Mail              *string
	OtherMails        *[]string
	AccountEnabled    *bool
	PreferredLanguage *string
	GivenName         *string
	Surname           *string
	JobTitle          *string
	// Properties sets further Graph properties of the user by name (see
	// directory.User.Properties), checked by the admin API; a nil value
	// clears one.
	Properties map[string]any
}

// Limits of the properties (Graph's).
const (
	maxDisplayName = 256
	maxNamePart    = 64 // givenName, surname
	maxJobTitle    = 128
	maxOtherMails  = 250
)

// languageTag is an ISO 639 language with optional subtags, e.g. en-US.
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)

// ApplyPatch checks p and applies it to u. It returns the user after the
// change and the audit changes (Graph's property names in the audit log's
// spelling), one per property whose value changed, in a fixed order. A new
// mail is the user's sign-in address; the userPrincipalName never changes
// (a guest's keeps the address it was invited with). Bad input is a
// *ValidationError naming the property. It does no I/O.
func ApplyPatch(u directory.User, p Patch) (directory.User, []audit.Change, error) {
	after := u
	if p.DisplayName != nil {
		name := strings.TrimSpace(*p.DisplayName)
		if name == "" || len([]rune(name)) > maxDisplayName {
			return u, nil, invalid("displayName", fmt.Sprintf("a name of 1 to %d characters is required", maxDisplayName))
		}
		after.DisplayName = name
	}
	if p.Mail != nil {
		addr, err := directory.NormalizeAddress(*p.Mail)
		if err != nil {
			return u, nil, &ValidationError{Resource: validation.ResourceUser, Property: "mail", Message: err.Error(), Err: err}
		}
		after.Mail = addr
	}
	if p.OtherMails != nil {
		if len(*p.OtherMails) > maxOtherMails {
			return u, nil, invalid("otherMails", fmt.Sprintf("at most %d addresses", maxOtherMails))
		}
		var list []string
		for _, a := range *p.OtherMails {
			addr, err := directory.NormalizeAddress(a)
			if err != nil {
				return u, nil, &ValidationError{Resource: validation.ResourceUser, Property: "otherMails", Message: err.Error(), Err: err}
			}
			if !slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, addr) }) {
				list = append(list, addr)
			}
		}
		after.OtherMails = list
	}
	if p.AccountEnabled != nil {
		after.AccountEnabled = *p.AccountEnabled
	}
	if p.PreferredLanguage != nil {
		lang := strings.TrimSpace(*p.PreferredLanguage)
		if lang != "" && !languageTag.MatchString(lang) {
			return u, nil, invalid("preferredLanguage", "an ISO 639-1 language, optionally with a country, like en-US, is required")
		}
		after.PreferredLanguage = lang
	}
	for _, f := range []struct {
		property string
		in       *string
		out      *string
		max      int
	}{
		{"givenName", p.GivenName, &after.GivenName, maxNamePart},
		{"surname", p.Surname, &after.Surname, maxNamePart},
		{"jobTitle", p.JobTitle, &after.JobTitle, maxJobTitle},
	} {
		if f.in == nil {
			continue
		}
		v := strings.TrimSpace(*f.in)
		if len([]rune(v)) > f.max {
			return u, nil, invalid(f.property, fmt.Sprintf("at most %d characters", f.max))
		}
		*f.out = v
	}
	if len(p.Properties) > 0 {
		props := make(map[string]any, len(u.Properties)+len(p.Properties))
		for k, v := range u.Properties {
			props[k] = v
		}
		for k, v := range p.Properties {
			if v == nil {
				delete(props, k)
			} else {
				props[k] = v
			}
		}
		if len(props) == 0 {
			props = nil
		}
		after.Properties = props
	}
	changes, err := diff(u, after)
	return after, changes, err
}

func invalid(property, msg string) error {
	return &ValidationError{Resource: validation.ResourceUser, Property: property, Message: msg}
}

// diff lists the changed properties of before → after for the audit log.
func diff(before, after directory.User) ([]audit.Change, error) {
	type prop struct {
		name     string
		old, new any
		changed  bool
	}
	props := []prop{
		{"DisplayName", before.DisplayName, after.DisplayName, before.DisplayName != after.DisplayName},
		{"Mail", nilIfEmpty(before.Mail), nilIfEmpty(after.Mail), before.Mail != after.Mail},
		{"OtherMails", emptyList(before.OtherMails), emptyList(after.OtherMails), !slices.Equal(before.OtherMails, after.OtherMails)},
		{"AccountEnabled", before.AccountEnabled, after.AccountEnabled, before.AccountEnabled != after.AccountEnabled},
		{"PreferredLanguage", nilIfEmpty(before.PreferredLanguage), nilIfEmpty(after.PreferredLanguage), before.PreferredLanguage != after.PreferredLanguage},
		{"GivenName", nilIfEmpty(before.GivenName), nilIfEmpty(after.GivenName), before.GivenName != after.GivenName},
		{"Surname", nilIfEmpty(before.Surname), nilIfEmpty(after.Surname), before.Surname != after.Surname},
		{"JobTitle", nilIfEmpty(before.JobTitle), nilIfEmpty(after.JobTitle), before.JobTitle != after.JobTitle},
	}
	for _, name := range propertyNames(before.Properties, after.Properties) {
		old, new := before.Properties[name], after.Properties[name]
		props = append(props, prop{strings.ToUpper(name[:1]) + name[1:], old, new, !reflect.DeepEqual(old, new)})
	}
	var out []audit.Change
	for _, p := range props {
		if !p.changed {
			continue
		}
		c, err := audit.Changed(p.name, p.old, p.new)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// propertyNames are the names set in a or b, sorted.
func propertyNames(a, b map[string]any) []string {
	var names []string
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func emptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
