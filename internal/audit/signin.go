package audit

import (
	"context"
	"time"
)

// SignIn is one interactive sign-in, or one refused attempt, at a tenant
// (Graph's signIn). A success is written in the transaction that starts
// its session; a refusal by itself. Codes and passwords are never kept.
type SignIn struct {
	TenantID  string
	ID        string // UUID
	CreatedAt time.Time
	// UserID is "" when the address is no user of the tenant; then
	// UserPrincipalName is the address that was typed.
	UserID            string
	UserPrincipalName string
	UserDisplayName   string
	UserType          string // SignInMember or SignInGuest
	// AppID and AppDisplayName name the app signed in to; AppID is "" for
	// the tenant's own pages (My Apps, a redeem link's redirect).
	AppID          string
	AppDisplayName string
	IPAddress      string
	UserAgent      string
	ClientAppUsed  string // "Browser"
	CorrelationID  string
	// ErrorCode is 0 for a success, else the Entra-style code of the
	// refusal (see internal/signin); FailureReason and AdditionalDetails
	// say why.
	ErrorCode         int
	FailureReason     string
	AdditionalDetails string
	// IdP is the identity provider a guest proved itself with: "mail" for
	// passcodes, the home tenant's issuer; "" for the tenant's members.
	IdP string
	// AuthenticationMethod is what was proved: "Password", "Email OTP", or
	// "Previously satisfied" (a home-tenant session).
	AuthenticationMethod string
	// CrossTenantAccessType is SignInB2BCollaboration for guests, else
	// SignInNoCrossTenant.
	CrossTenantAccessType string
	HomeTenantID          string
}

// Values of SignIn fields (Graph spelling).
const (
	SignInMember           = "member"
	SignInGuest            = "guest"
	SignInB2BCollaboration = "b2bCollaboration"
	SignInNoCrossTenant    = "none"
	SignInBrowser          = "Browser"
)

// SignInCursor is where a page of sign-ins starts: the last entry of the
// previous page, by (CreatedAt, ID). The next page holds the entries past
// it in the query's order (strictly older when newest first). The zero
// cursor starts at the first entry.
type SignInCursor struct {
	CreatedAt time.Time
	ID        string
}

// SignInQuery selects a tenant's sign-ins: those meeting every condition
// and at least one condition of each AnyOf group ($filter's "or"), newest
// first unless Ascending (by CreatedAt, then ID), one page at a time.
type SignInQuery struct {
	Conditions []SignInCondition
	AnyOf      [][]SignInCondition
	Ascending  bool
	After      SignInCursor
	// Limit bounds the page (<= 0: no bound).
	Limit int
}

// SignInField is a property of a sign-in a condition tests (Graph's names).
type SignInField string

// Filterable sign-in properties. userPrincipalName, userDisplayName and
// appDisplayName compare in any case; startsWith compares in any case on every field
// that takes it; the other fields compare exactly.
const (
	SignInFieldCreatedDateTime       SignInField = "createdDateTime"
	SignInFieldUserPrincipalName     SignInField = "userPrincipalName"
	SignInFieldUserDisplayName       SignInField = "userDisplayName"
	SignInFieldUserID                SignInField = "userId"
	SignInFieldUserType              SignInField = "userType"
	SignInFieldAppID                 SignInField = "appId"
	SignInFieldAppDisplayName        SignInField = "appDisplayName"
	SignInFieldIPAddress             SignInField = "ipAddress"
	SignInFieldCorrelationID         SignInField = "correlationId"
	SignInFieldErrorCode             SignInField = "status/errorCode"
	SignInFieldCrossTenantAccessType SignInField = "crossTenantAccessType"
)

// SignInCondition compares one field: Time for
// SignInFieldCreatedDateTime, Number for SignInFieldErrorCode, Value for
// the others. Ops are those of Condition.
type SignInCondition struct {
	Field  SignInField
	Op     Op
	Value  string
	Time   time.Time
	Number int
}

// SignInStore keeps the sign-in log, scoped by tenant.
type SignInStore interface {
	// AppendSignIn stores s; it joins the transaction in ctx.
	AppendSignIn(ctx context.Context, s SignIn) error
	// ListSignIns returns the tenant's sign-ins newest first (by CreatedAt,
	// then ID), after the cursor, at most limit (<= 0: all).
	ListSignIns(ctx context.Context, tenantID string, after SignInCursor, limit int) ([]SignIn, error)
	// QuerySignIns returns one page of the tenant's sign-ins that q selects.
	QuerySignIns(ctx context.Context, tenantID string, q SignInQuery) ([]SignIn, error)
	// GetSignIn returns one sign-in, or store.ErrNotFound.
	GetSignIn(ctx context.Context, tenantID, id string) (SignIn, error)
}
