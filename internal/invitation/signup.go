package invitation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Self-service sign-up to an app (R13): a person with no invitation who
// follows an app's sign-in link, where the app offers sign-up, becomes a
// guest of the app's tenant with the identity they chose. It is not the
// retired email-verified sign-up that created unmanaged tenants.

// CreationSelfServiceSignUp is the creationType of such guests (Graph's).
const CreationSelfServiceSignUp = "SelfServiceSignUp"

// ActivitySignUp is the audit activity of a self-service sign-up.
const ActivitySignUp = "Add user (self-service sign-up)"

// ErrAlreadyUser: the address is a user of the tenant already; it signs
// in, it does not sign up.
var ErrAlreadyUser = errors.New("this address already has an account in this organisation")

// SignUpGuest creates addr as a guest of t who signed up through app:
// creationType SelfServiceSignUp, Accepted with idp and issuer (fixed as
// at a redemption, R7), audited with the app as the initiator. The sign-in
// service calls it only once the person accepted Review permissions, in
// the transaction that starts their session, as a redemption is.
// It joins the transaction in ctx; an address t has is ErrAlreadyUser.
func (s *Service) SignUpGuest(ctx context.Context, t directory.Tenant, addr string, idp directory.IdP, issuer string, app audit.Actor) (directory.User, error) {
	now := s.Clock.Now()
	u := directory.User{
		TenantID: t.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest,
		DisplayName: addr[:strings.LastIndexByte(addr, '@')], Mail: addr,
		UserPrincipalName: directory.GuestUserPrincipalName(addr, t.InitialDomain),
		CreationType:      CreationSelfServiceSignUp, AccountEnabled: true,
		ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: now,
		IdP: idp, IdPIssuer: issuer, CreatedAt: now,
	}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.Directory.GetUserByMail(ctx, t.ID, addr); err == nil {
			return ErrAlreadyUser
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("sign up guest: %w", err)
		}
		if err := s.Directory.CreateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return ErrAlreadyUser
			}
			return fmt.Errorf("sign up guest: %w", err)
		}
		if s.Audit == nil {
			return nil
		}
		var changes []audit.Change
		for _, p := range []struct{ name, v string }{
			{"UserType", string(u.UserType)}, {"Mail", u.Mail}, {"UserPrincipalName", u.UserPrincipalName},
			{"CreationType", u.CreationType}, {"ExternalUserState", string(u.ExternalUserState)}, {"IdentityProvider", string(idp)},
		} {
			c, err := audit.Changed(p.name, nil, p.v)
			if err != nil {
				return err
			}
			changes = append(changes, c)
		}
		rec := audit.Record{
			TenantID: t.ID, Category: audit.CategoryUserManagement, Activity: ActivitySignUp,
			LoggedByService: "Self-service Sign-up", OperationType: audit.OperationAdd, InitiatedBy: app,
			Targets: []audit.Target{{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UserPrincipalName: u.UserPrincipalName, Modified: changes}},
		}
		return audit.Write(ctx, s.Audit, rec, now)
	})
	if err != nil {
		return directory.User{}, err
	}
	return u, nil
}
