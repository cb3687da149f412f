// Package graph serves guestgate's admin API in Microsoft Graph v1.0
// shapes, so Graph SDKs and scripts written for the reproduced product work
// unchanged: POST /v1.0/invitations, /v1.0/users, and (as they land) the
// policy, identity-provider and audit resources of DESIGN section 6.
//
// Every request carries a bearer token from the tenant's token endpoint
// (client credentials); the token's tid is the tenant the request acts on,
// and its roles are Graph application permissions. Handlers are thin, one
// file per resource: decode, authorize, call one service, encode.
// errors.go is the only place that writes Graph's error envelope.
//
// Each route declares the OData query options it takes (api.go); they are
// parsed by internal/odata before the handler runs, and any other option
// is 400 (routing.go). They are then mapped here, per resource, onto
// store-independent queries: users_query.go turns $filter, $search and
// $orderby into a directory.UserQuery (with Graph's operators per property
// and its advanced-query rules), log_query.go turns a log $filter into
// conditions any activity log can use (directoryAudits and signIns), and
// query.go gives their errors Graph's codes.
// user_json.go answers Graph's default user properties unless $select
// names others. docs/graph.md lists what is supported.
package graph
