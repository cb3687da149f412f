package graph

import (
	"bytes"
	"encoding/json"
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
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.name)
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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
	{"externalUserState", false, func(u directory.User, _ string) any { return userOut(u, "").ExternalUserState }},
	{"externalUserStateChangeDateTime", false, func(u directory.User, _ string) any {
		return userOut(u, "").ExternalUserStateChangeDateTime
	}},
	{"identities", false, func(u directory.User, d string) any { return userOut(u, d).Identities }},
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
	out := make(jsonObject, 0, len(userProperties)+1)
	if context != "" {
		out = append(out, jsonMember{"@odata.context", context})
	}
	for _, p := range userProperties {
		if (sel == nil && p.isDef) || (sel != nil && contains(sel, p.name)) {
			out = append(out, jsonMember{p.name, p.get(u, initialDomain)})
		}
	}
	return out
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
