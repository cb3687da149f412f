package oidc

import "errors"

// Sentinel errors; match with errors.Is.
var (
	// ErrInvalidToken: an access token is malformed, badly signed, expired, or
	// not meant for this tenant or audience. The wrapped detail is for logs.
	ErrInvalidToken = errors.New("invalid access token")
	// ErrNoTenant: the request context carries no tenant (see WithTenant).
	ErrNoTenant = errors.New("no tenant in context")
	// ErrAuthRequestNotFound: the authorization request does not exist in the
	// tenant, has expired, or was used.
	ErrAuthRequestNotFound = errors.New("authorization request not found or expired")
	// ErrAuthRequestDone: the authorization request already has a sign-in.
	ErrAuthRequestDone = errors.New("authorization request already completed")
	// ErrLoginTooOld: the sign-in is older than the request's max_age (or
	// prompt=login asked for a new one); the user must sign in again.
	ErrLoginTooOld = errors.New("sign-in older than the request allows")
	// ErrInvalidApp: an app registration was refused (name, URIs).
	ErrInvalidApp = errors.New("invalid app registration")
	// ErrAccessEnded: an AccessChecker refused the user; the grant ends.
	ErrAccessEnded = errors.New("the user may no longer sign in")
)
