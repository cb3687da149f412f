package graph

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
)

// newUserBody is the body of POST /v1.0/users: a member with a password.
// Graph SDKs send @odata.type on the user and its passwordProfile; it is
// accepted and ignored.
type newUserBody struct {
	ODataType         string           `json:"@odata.type"`
	AccountEnabled    *bool            `json:"accountEnabled"`
	DisplayName       string           `json:"displayName"`
	MailNickname      string           `json:"mailNickname"`
	UserPrincipalName string           `json:"userPrincipalName"`
	Mail              string           `json:"mail"`
	PasswordProfile   *passwordProfile `json:"passwordProfile"`
}

// passwordProfile is Graph's passwordProfile. The forced change at next
// sign-in is accepted; guestgate has no password-change page yet, so it
// has no effect.
type passwordProfile struct {
	ODataType                            string `json:"@odata.type"`
	Password                             string `json:"password"`
	ForceChangePasswordNextSignIn        bool   `json:"forceChangePasswordNextSignIn"`
	ForceChangePasswordNextSignInWithMfa bool   `json:"forceChangePasswordNextSignInWithMfa"`
}

// permUsersWrite creates and changes users.
var permUsersWrite = []string{roles.UserReadWriteAll, roles.DirectoryReadWriteAll}

// createUser is POST /v1.0/users (201): a member of the caller's tenant,
// userType Member, signing in with the given password. accountEnabled
// defaults to true.
func (a *API) createUser(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permUsersWrite...); err != nil {
		return err
	}
	var in newUserBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	switch {
	case in.UserPrincipalName == "":
		return invalidUserProperty("userPrincipalName")
	case in.DisplayName == "":
		return invalidUserProperty("displayName")
	case in.PasswordProfile == nil || in.PasswordProfile.Password == "":
		return invalidUserProperty("passwordProfile")
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	req := member.NewMember{
		UserPrincipalName: in.UserPrincipalName, DisplayName: in.DisplayName, Mail: in.Mail,
		Password: in.PasswordProfile.Password, AccountEnabled: in.AccountEnabled == nil || *in.AccountEnabled,
	}
	u, err := a.deps.Members.CreateMember(r.Context(), t, req, a.actor(r, c))
	if err != nil {
		return err
	}
	// Graph answers the new user's default property set.
	writeJSON(w, http.StatusCreated, userObject(u, t.InitialDomain, nil, usersContext(nil, true)))
	return nil
}

// userEntity is one user with the properties guestgate models itself.
func userEntity(u directory.User, initialDomain string) userBody {
	out := userOut(u, initialDomain)
	out.ODataContext = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
	return out
}

// UserJSON is the user object `guestgate user create --output json`
// prints: Graph's user with the properties guestgate models itself (POST
// /v1.0/users answers Graph's default set instead).
func UserJSON(u directory.User, initialDomain string) any { return userEntity(u, initialDomain) }
