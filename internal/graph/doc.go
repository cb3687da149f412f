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
package graph
