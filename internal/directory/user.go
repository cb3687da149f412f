package directory

import "time"

// UserType says whether a user's home is this tenant.
type UserType string

// User types (Graph spelling).
const (
	UserTypeMember UserType = "Member"
	UserTypeGuest  UserType = "Guest"
)

// ExternalUserState is a guest's redemption state (Graph spelling).
type ExternalUserState string

// External user states.
const (
	StatePendingAcceptance ExternalUserState = "PendingAcceptance"
	StateAccepted          ExternalUserState = "Accepted"
)

// IdP names a guest's identity provider, fixed at redemption (R7).
type IdP string

// Identity providers (DESIGN section 1). IdPNone means not yet redeemed.
const (
	IdPNone       IdP = ""
	IdPMail       IdP = "mail"
	IdPHomeTenant IdP = "homeTenant"
	IdPFederation IdP = "federation"
	IdPPersonal   IdP = "personal"
	IdPUnmanaged  IdP = "unmanaged"
)

// CreationInvitation is the creationType of a user an invitation created
// (Graph's spelling), whether invited as a guest or as a member.
const CreationInvitation = "Invitation"

// User is a member or a guest of one tenant.
type User struct {
	TenantID          string
	ID                string // UUID, stable across redemption resets (R7)
	UserType          UserType
	DisplayName       string
	Mail              string // as given; look-ups compare lower case
	UserPrincipalName string
	CreationType      string // CreationInvitation for invited users
	PreferredLanguage string
	// AccountEnabled is Graph's accountEnabled: a disabled user cannot sign
	// in. New users are created enabled unless an admin says otherwise.
	AccountEnabled bool
	// OtherMails are further addresses of the user, as an admin set them
	// (Graph's otherMails adds a guest's own address, see AllOtherMails);
	// nil when none. GivenName, Surname and JobTitle are Graph's
	// properties of the same names.
	OtherMails []string
	GivenName  string
	Surname    string
	JobTitle   string
	// TokensValidAfter ends access: every session and token from a sign-in
	// before it is dead (TokensRevoked). Zero until access was first ended.
	TokensValidAfter time.Time

	ExternalUserState          ExternalUserState // guests only
	ExternalUserStateChangedAt time.Time
	// IdP is the identity provider fixed at redemption; IdPNone until then.
	IdP IdP
	// IdPIssuer is the issuer shown in Graph identities and the idp claim:
	// "mail" for passcode guests, the upstream issuer otherwise.
	IdPIssuer string

	CreatedAt time.Time

	// Properties are Graph's further directory properties of the user an
	// admin set (department, companyName, businessPhones, …), by Graph's
	// name: a string, a bool, a []string, or a map[string]string for the
	// complex ones (employeeOrgData, onPremisesExtensionAttributes). An
	// absent name is unset (Graph's null, or [] for a collection). The
	// admin API keeps the list of names (internal/graph).
	Properties map[string]any

	// SignInActivity is Graph's signInActivity, kept by the store as each
	// sign-in is recorded.
	SignInActivity SignInActivity
}

// SignInActivity is the last sign-ins of a user (Graph's signInActivity).
// A zero time is Graph's null. The request ids are the sign-in log
// entries' ids.
type SignInActivity struct {
	LastSignIn                        time.Time // interactive, successful or not
	LastSignInRequestID               string
	LastNonInteractiveSignIn          time.Time
	LastNonInteractiveSignInRequestID string
	LastSuccessfulSignIn              time.Time // interactive or not, successful
	LastSuccessfulSignInRequestID     string
}

// IsInvited reports a user whose identity lives elsewhere: anyone but a
// member, or a member invited as such (invitedUserType Member). Such a
// user has no password here and no redemption to reset is refused.
func (u User) IsInvited() bool {
	return u.UserType != UserTypeMember || u.CreationType == CreationInvitation
}
