package invitation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/validation"
)

// SessionRevoker ends a user's sessions (session.Store has it).
type SessionRevoker interface {
	RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error
}

// Audit names of a redemption reset (as the reproduced product logs it).
const (
	ActivityResetRedemption = "Invite external user with reset invitation status"
	LoggedByService         = "Invited Users"
)

// ResetRedemption resets an invited user's redemption status (R7, R9) and
// invites them again: the user keeps its object id (and so its group
// memberships and app assignments) and goes back to PendingAcceptance with
// no identity provider, so the next redemption runs the decision of
// section 3 again. req.Email, when set and different, becomes the user's
// mail and sign-in address (never its userPrincipalName); empty keeps the
// current one. A new invitation (a new redeem link) is created, mailed
// when req.SendMessage is set; the user's sessions end; an audit record
// names who did it and what changed. All of it commits together. R14
// guards it (roles.CheckChange with as): resetting an admin, whose roles
// the reset keeps, needs a role that manages the admin's roles, else
// roles.ErrPrivilegedTarget and nothing changes.
func (s *Service) ResetRedemption(ctx context.Context, t directory.Tenant, userID string, req Request, by audit.Actor, as roles.Authority) (Result, error) {
	if s.Audit == nil || s.Sessions == nil {
		return Result{}, errors.New("reset redemption: the service has no audit log or session store")
	}
	if !t.Administered() {
		return Result{}, ErrNotAdministered
	}
	keepMail := strings.TrimSpace(req.Email) == ""
	if keepMail {
		u, err := s.Directory.GetUser(ctx, t.ID, userID)
		if err != nil {
			return Result{}, fmt.Errorf("reset redemption: %w", err)
		}
		req.Email = u.Mail
	}
	req, err := req.normalize(s.cfg.AllowHTTP)
	if err != nil {
		return Result{}, err
	}
	if !keepMail {
		// A new address is invited as any address is: the same domain rules.
		if err := checkOwnDomain(t, req.Email); err != nil {
			return Result{}, err
		}
		if s.Domains != nil {
			if err := s.Domains.CheckDomain(ctx, t, req.Email); err != nil {
				return Result{}, err
			}
		}
	}
	var res Result
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now()
		if err := s.checkSponsorsExist(ctx, t, req.Sponsors); err != nil {
			return err
		}
		before, after, err := s.resetUser(ctx, t, userID, req.Email, keepMail, as, now)
		if err != nil {
			return err
		}
		req.Email = after.Mail
		// R7: a reset to another address ends the links mailed to the old
		// one, and links a redemption ended stay ended; a reset of a guest
		// still pending that keeps the address leaves its links good.
		ends := !strings.EqualFold(before.Mail, after.Mail) || before.ExternalUserState != directory.StatePendingAcceptance
		if res, err = s.newInvitation(ctx, t, after, req, ends, now); err != nil {
			return fmt.Errorf("reset redemption: %w", err)
		}
		if err := s.Sessions.RevokeUserSessions(ctx, t.ID, userID, now); err != nil {
			return fmt.Errorf("reset redemption: end sessions: %w", err)
		}
		rec, err := resetRecord(t.ID, before, after, res.Invitation.ID, by)
		if err != nil {
			return err
		}
		if err := audit.Write(ctx, s.Audit, rec, now); err != nil {
			return fmt.Errorf("reset redemption: %w", err)
		}
		if req.SendMessage {
			return s.enqueueMail(ctx, t, res)
		}
		return nil
	})
	return res, err
}

// resetUser returns the user to PendingAcceptance with no identity
// provider, with a new address unless keepMail, once R14 allows it.
func (s *Service) resetUser(ctx context.Context, t directory.Tenant, userID, email string, keepMail bool, as roles.Authority, now time.Time) (before, after directory.User, err error) {
	err = s.Directory.UpdateUser(ctx, t.ID, userID, func(u *directory.User) error {
		if !u.IsInvited() {
			return &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUser.id", Message: "the user is a member of this organization, not an invited user; it has no redemption status to reset"}
		}
		if err := roles.CheckChange(ctx, s.Roles, t, *u, as, roles.ResetRedemption); err != nil {
			return err
		}
		before = *u
		if !keepMail && !strings.EqualFold(u.Mail, email) {
			// The new address is the guest's mail and sign-in address; the
			// userPrincipalName never changes (DESIGN section 6, as the
			// reproduced product documents it).
			u.Mail = email
		}
		u.ExternalUserState, u.ExternalUserStateChangedAt = directory.StatePendingAcceptance, now
		u.IdP, u.IdPIssuer = directory.IdPNone, ""
		after = *u
		return nil
	})
	if errors.Is(err, store.ErrAlreadyExists) {
		return before, after, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserEmailAddress", Message: "the address belongs to another user of this organization"}
	}
	if err != nil {
		return before, after, fmt.Errorf("reset redemption: %w", err)
	}
	return before, after, nil
}

// resetRecord is the audit record of a reset of user before → after.
func resetRecord(tenantID string, before, after directory.User, invitationID string, by audit.Actor) (audit.Record, error) {
	type prop struct {
		name     string
		old, new string
	}
	props := []prop{
		{"ExternalUserState", string(before.ExternalUserState), string(after.ExternalUserState)},
		{"IdentityProvider", string(before.IdP), string(after.IdP)},
	}
	if before.Mail != after.Mail {
		props = append(props, prop{"Mail", before.Mail, after.Mail})
	}
	if before.UserPrincipalName != after.UserPrincipalName {
		props = append(props, prop{"UserPrincipalName", before.UserPrincipalName, after.UserPrincipalName})
	}
	var changes []audit.Change
	for _, p := range props {
		c, err := audit.Changed(p.name, emptyAsNil(p.old), emptyAsNil(p.new))
		if err != nil {
			return audit.Record{}, err
		}
		changes = append(changes, c)
	}
	return audit.Record{
		TenantID: tenantID, Category: audit.CategoryUserManagement, Activity: ActivityResetRedemption,
		LoggedByService: LoggedByService, OperationType: audit.OperationReset, InitiatedBy: by,
		Targets: []audit.Target{{
			ID: after.ID, DisplayName: after.DisplayName, Type: "User",
			UserPrincipalName: after.UserPrincipalName, Modified: changes,
		}},
		AdditionalDetails: []audit.KeyValue{{Key: "invitationId", Value: invitationID}},
	}, nil
}

func emptyAsNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
