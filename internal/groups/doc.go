// Package groups owns security groups (Graph's microsoft.graph.group with
// securityEnabled true and mailEnabled false) and their members: users and
// groups of the same tenant, so groups nest. It keeps the rules of a
// group's names (displayName, mailNickname), that a member is added once,
// that no group contains itself however deep the nesting, and that a
// member reference never crosses tenants (another tenant's object is not
// found). Deleted groups are kept, soft-deleted, until restored.
//
// The pure rules are in decide.go; Service (service.go) runs them inside
// one transaction with the audit record, under the names the reproduced
// product logs ("Add group", "Add member to group", …).
//
// It imports directory, audit, store and clock, never graph, web or
// console.
package groups
