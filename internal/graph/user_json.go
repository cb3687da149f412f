package graph

import (
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
)

// GET /v1.0/users and /v1.0/users/{id} answer Graph's default user
// properties; the others only when $select names them, as Graph does.

// jsonObject is a JSON object that keeps its members in order.
type jsonObject []jsonMember

type jsonMember struct {
	name  string
	value any
}

func (o jsonObject) MarshalJSON() ([]byte, error) {
	return o.appendTo(nil), nil
}

// userProperty is one user property guestgate can answer.
type userProperty struct {
	name  string
	isDef bool // in Graph's default set
	get   func(u directory.User, initialDomain string) any
}

// userProperties in answer order: Graph's default set first, in the order
// Graph answers it, then the properties only $select returns.
var userProperties = append([]userProperty{
	{"businessPhones", true, storedGet("businessPhones")},
	{"displayName", true, func(u directory.User, _ string) any { return nilIfEmpty(u.DisplayName) }},
	{"givenName", true, func(u directory.User, _ string) any { return nilIfEmpty(u.GivenName) }},
	{"jobTitle", true, func(u directory.User, _ string) any { return nilIfEmpty(u.JobTitle) }},
	{"mail", true, func(u directory.User, _ string) any { return nilIfEmpty(u.Mail) }},
	{"mobilePhone", true, storedGet("mobilePhone")},
	{"officeLocation", true, storedGet("officeLocation")},
	{"preferredLanguage", true, func(u directory.User, _ string) any { return nilIfEmpty(u.PreferredLanguage) }},
	{"surname", true, func(u directory.User, _ string) any { return nilIfEmpty(u.Surname) }},
	{"userPrincipalName", true, func(u directory.User, _ string) any { return u.UserPrincipalName }},
	{"id", true, func(u directory.User, _ string) any { return u.ID }},
	{"accountEnabled", false, func(u directory.User, _ string) any { return u.AccountEnabled }},
	{"createdDateTime", false, func(u directory.User, _ string) any { return u.CreatedAt.UTC().Format(graphTime) }},
	{"creationType", false, func(u directory.User, _ string) any { return nilIfEmpty(u.CreationType) }},
	{"externalUserState", false, func(u directory.User, _ string) any { return externalUserState(u) }},
	{"externalUserStateChangeDateTime", false, func(u directory.User, _ string) any {
		return externalUserStateChangeDateTime(u)
	}},
	{"identities", false, func(u directory.User, d string) any { return userIdentities(u, d) }},
	{"otherMails", false, func(u directory.User, _ string) any { return u.AllOtherMails() }},
	{"userType", false, func(u directory.User, _ string) any { return string(u.UserType) }},
}, moreUserProperties()...)

// userSelect checks $select against the properties guestgate answers and
// returns their canonical names in the order asked, without repeats (nil:
// the default set). Answers keep Graph's property order either way.
func userSelect(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var out []string
	for _, n := range names {
		found := false
		for _, p := range userProperties {
			if strings.EqualFold(p.name, n) {
				found = true
				if !contains(out, p.name) {
					out = append(out, p.name)
				}
			}
		}
		if !found {
			return nil, directoryObjects.invalid("Could not find a property named '" + n + "' on type 'microsoft.graph.user'.")
		}
	}
	return out, nil
}

// userObject is u with the selected properties (nil: the default set),
// led by @odata.context when context is not empty.
func userObject(u directory.User, initialDomain string, sel []string, context string) jsonObject {
	fields := userFieldsOf(sel)
	out := make(jsonObject, 0, len(fields)+1)
	if context != "" {
		out = append(out, jsonMember{"@odata.context", context})
	}
	for _, i := range fields {
		p := userProperties[i]
		out = append(out, jsonMember{p.name, p.get(u, initialDomain)})
	}
	return out
}

// userFields is a selection of userProperties by index, in answer order.
type userFields []int

var (
	// defaultUserFields is Graph's default set.
	defaultUserFields = selectUserFields(nil)
	// userPropertyKeys are the properties' names as JSON keys, colon included.
	userPropertyKeys = func() []string {
		out := make([]string, len(userProperties))
		for i, p := range userProperties {
			out[i] = string(appendJSONString(nil, p.name)) + ":"
		}
		return out
	}()
)

// userFieldsOf is the selection sel (canonical names from userSelect;
// nil: the default set), worked out once per request rather than per user.
func userFieldsOf(sel []string) userFields {
	if sel == nil {
		return defaultUserFields
	}
	return selectUserFields(sel)
}

func selectUserFields(sel []string) userFields {
	out := make(userFields, 0, len(userProperties))
	for i, p := range userProperties {
		if (sel == nil && p.isDef) || (sel != nil && contains(sel, p.name)) {
			out = append(out, i)
		}
	}
	return out
}

// appendUser appends u with the fields as a JSON object (what
// json.Marshal(userObject(u, initialDomain, sel, "")) writes).
func appendUser(b []byte, u directory.User, initialDomain string, fields userFields) []byte {
	b = append(b, '{')
	for n, i := range fields {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, userPropertyKeys[i]...)
		b = appendJSON(b, userProperties[i].get(u, initialDomain))
	}
	return append(b, '}')
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// usersContext is the @odata.context of users, with the selection if any.
func usersContext(sel []string, entity bool) string {
	c := "https://graph.microsoft.com/v1.0/$metadata#users"
	if sel != nil {
		c += "(" + strings.Join(sel, ",") + ")"
	}
	if entity {
		c += "/$entity"
	}
	return c
}

// knownUserProperty is whether name is a property of Graph's user (exact case).
func knownUserProperty(name string) bool {
	for _, p := range userProperties {
		if p.name == name {
			return true
		}
	}
	return false
}

// UserPropertyNames are the names of every user property the admin API
// answers, in answer order (the benchmark selects them all).
func UserPropertyNames() []string {
	out := make([]string, len(userProperties))
	for i, p := range userProperties {
		out[i] = p.name
	}
	return out
}
