package invitation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/validation"
)

// ComposeFunc renders the invitation mail for inv in lang, in the
// transaction that invites (ctx): what it reads, it reads there.
type ComposeFunc func(ctx context.Context, t directory.Tenant, inv Invitation, redeemURL, lang string) (mail.Message, error)

// Config configures a Service.
type Config struct {
	PublicURL string // base of the redeem URL
	AllowHTTP bool   // dev mode: http redirect URLs are accepted
}

// Deps are the stores and collaborators a Service uses.
type Deps struct {
	Directory directory.Store
	Store     Store
	Outbox    mail.OutboxWriter
	Tx        store.Transactor
	Clock     clock.Clock
	Compose   ComposeFunc
	// Audit records redemptions and resets; Sessions are needed by
	// ResetRedemption only.
	Audit    audit.Store
	Sessions SessionRevoker
	// Roles is what R14's check of a reset reads (roles.CheckChange);
	// without it every reset is refused.
	Roles roles.GuardStore
	// Domains, when set, refuses invitations to domains the tenant's
	// collaboration restrictions block (collab.Service has it).
	Domains interface {
		CheckDomain(ctx context.Context, t directory.Tenant, address string) error
	}
}

// Service creates and redeems invitations.
type Service struct {
	cfg Config
	Deps
}

// NewService returns a Service.
func NewService(cfg Config, d Deps) *Service {
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	return &Service{cfg: cfg, Deps: d}
}

// Result is a created invitation, its guest and the redeem URL (returned
// only here: the store keeps only a hash of the ticket).
type Result struct {
	Invitation Invitation
	User       directory.User
	RedeemURL  string
}

// ErrMemberExists: the address belongs to a member of the tenant, who needs no invitation.
var ErrMemberExists = errors.New("the address belongs to a member of this organization")

// ErrOwnDomain: the address is in one of the tenant's own verified
// domains; such people are members, created as users, never invited.
var ErrOwnDomain = errors.New("this user cannot be invited because the domain of the user's email address is a verified domain of this directory")

// ErrNotAdministered: the tenant has no administrator (an unmanaged
// tenant, or the consumers directory) and so invites nobody (R15): no one
// there may send invitations in its name, by any path.
var ErrNotAdministered = errors.New("this directory has no administrator, so it cannot invite guests")

// checkOwnDomain refuses an address in one of t's verified domains.
func checkOwnDomain(t directory.Tenant, addr string) error {
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	for _, d := range t.Domains {
		if strings.EqualFold(d, domain) {
			return ErrOwnDomain
		}
	}
	return nil
}

// checkSponsorsExist requires every sponsor to be a user of t (read in
// ctx's transaction).
func (s *Service) checkSponsorsExist(ctx context.Context, t directory.Tenant, ids []string) error {
	for _, id := range ids {
		if _, err := s.Directory.GetUser(ctx, t.ID, id); errors.Is(err, store.ErrNotFound) {
			return &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserSponsors", Message: fmt.Sprintf("no user of this organization has the id %s", id)}
		} else if err != nil {
			return fmt.Errorf("invite: sponsor: %w", err)
		}
	}
	return nil
}

// Invite creates an invitation for req.Email in tenant t. A guest already
// invited is reused (same object id); otherwise a guest user is created in
// state PendingAcceptance. Inviting a guest still PendingAcceptance again
// (a resend, a script that re-runs) gives a new redeem link and the
// earlier links keep working (R7: a link already mailed stays good while
// the invitation to that address is pending; the passcode, not the link,
// proves the mailbox). When req.SendMessage is set the invitation mail
// is enqueued in the same transaction. Bad input is a *ValidationError and
// writes nothing. A tenant without administrators (directory.Tenant.Administered)
// is ErrNotAdministered.
func (s *Service) Invite(ctx context.Context, t directory.Tenant, req Request) (Result, error) {
	if !t.Administered() {
		return Result{}, ErrNotAdministered
	}
	req, err := req.normalize(s.cfg.AllowHTTP)
	if err != nil {
		return Result{}, err
	}
	if err := checkOwnDomain(t, req.Email); err != nil {
		return Result{}, err
	}
	if s.Domains != nil {
		if err := s.Domains.CheckDomain(ctx, t, req.Email); err != nil {
			return Result{}, err
		}
	}
	var res Result
	for attempt := 0; attempt < 2; attempt++ {
		res, err = s.invite(ctx, t, req)
		// Two concurrent invitations of a new address: the loser's user
		// insert collides; run again and reuse the winner's guest.
		if !errors.Is(err, store.ErrAlreadyExists) {
			break
		}
	}
	return res, err
}

func (s *Service) invite(ctx context.Context, t directory.Tenant, req Request) (Result, error) {
	var res Result
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now()
		if err := s.checkSponsorsExist(ctx, t, req.Sponsors); err != nil {
			return err
		}
		user, err := s.guestFor(ctx, t, req)
		if err != nil {
			return err
		}
		if res, err = s.newInvitation(ctx, t, user, req, false, now); err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		if s.Audit != nil {
			if err := audit.Write(ctx, s.Audit, inviteRecord(t.ID, res, req.By), now); err != nil {
				return fmt.Errorf("invite: %w", err)
			}
		}
		if req.SendMessage {
			return s.enqueueMail(ctx, t, res)
		}
		return nil
	})
	return res, err
}

// ActivityInvite is the audit activity of an invitation (as the reproduced product logs it).
const ActivityInvite = "Invite external user"

// inviteRecord is the audit record of an invitation of res.User by by.
func inviteRecord(tenantID string, res Result, by audit.Actor) audit.Record {
	u := res.User
	return audit.Record{
		TenantID: tenantID, Category: audit.CategoryUserManagement, Activity: ActivityInvite,
		LoggedByService: LoggedByService, OperationType: audit.OperationAdd, InitiatedBy: by,
		Targets: []audit.Target{{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UserPrincipalName: u.UserPrincipalName}},
		AdditionalDetails: []audit.KeyValue{
			{Key: "invitationId", Value: res.Invitation.ID},
			{Key: "invitedUserEmailAddress", Value: res.Invitation.Email},
		},
	}
}

// newInvitation stores a new invitation (a new redeem ticket) of user for
// req.Email: PendingAcceptance, or Completed for a guest already Accepted.
// With supersede (a reset to another address), the user's earlier
// invitations' redeem links stop working; otherwise they stay good while
// pending (R7).
func (s *Service) newInvitation(ctx context.Context, t directory.Tenant, user directory.User, req Request, supersede bool, now time.Time) (Result, error) {
	ticket, hash, err := newTicket(t.ID)
	if err != nil {
		return Result{}, fmt.Errorf("new ticket: %w", err)
	}
	inv := Invitation{
		TenantID: t.ID, ID: uuid.NewString(), UserID: user.ID,
		Email: req.Email, DisplayName: req.DisplayName, RedirectURL: req.RedirectURL,
		SendMessage: req.SendMessage, MessageLanguage: req.MessageLanguage,
		CustomMessage: req.CustomMessage, CCRecipients: req.CCRecipients, CCNames: req.CCNames,
		Sponsors: req.Sponsors, InvitedBy: req.InvitedBy,
		TicketHash: hash, Status: StatusPendingAcceptance, CreatedAt: now,
	}
	if user.ExternalUserState == directory.StateAccepted {
		inv.Status = StatusCompleted
	} else if supersede {
		if err := s.Store.SupersedeUserInvitations(ctx, t.ID, user.ID, now); err != nil {
			return Result{}, err
		}
	}
	if err := s.Store.CreateInvitation(ctx, inv); err != nil {
		return Result{}, err
	}
	return Result{Invitation: inv, User: user, RedeemURL: s.cfg.PublicURL + "/redeem?ticket=" + url.QueryEscape(ticket)}, nil
}

// guestFor returns the tenant's user for the address, creating a guest.
func (s *Service) guestFor(ctx context.Context, t directory.Tenant, req Request) (directory.User, error) {
	u, err := s.Directory.GetUserByMail(ctx, t.ID, req.Email)
	switch {
	case err == nil && !u.IsInvited():
		return u, ErrMemberExists
	case err == nil:
		return u, nil
	case !errors.Is(err, store.ErrNotFound):
		return u, fmt.Errorf("invite: find user: %w", err)
	}
	now := s.Clock.Now()
	u = directory.User{
		TenantID: t.ID, ID: uuid.NewString(), UserType: req.UserType,
		DisplayName: req.DisplayName, Mail: req.Email,
		UserPrincipalName: directory.GuestUserPrincipalName(req.Email, t.InitialDomain),
		CreationType:      directory.CreationInvitation, AccountEnabled: true,
		ExternalUserState: directory.StatePendingAcceptance, ExternalUserStateChangedAt: now,
		CreatedAt: now,
	}
	if u.DisplayName == "" {
		u.DisplayName = req.Email[:strings.LastIndexByte(req.Email, '@')]
	}
	if err := s.Directory.CreateUser(ctx, u); err != nil {
		return u, fmt.Errorf("invite: create guest: %w", err)
	}
	return u, nil
}

func (s *Service) enqueueMail(ctx context.Context, t directory.Tenant, res Result) error {
	lang := firstNonEmpty(res.Invitation.MessageLanguage, res.User.PreferredLanguage, t.NotificationLanguage, "en")
	msg, err := s.Compose(ctx, t, res.Invitation, res.RedeemURL, lang)
	if err != nil {
		return fmt.Errorf("invite: compose mail: %w", err)
	}
	if err := s.Outbox.EnqueueMail(ctx, msg); err != nil {
		return fmt.Errorf("invite: enqueue mail: %w", err)
	}
	return nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// Redemption is what a redeem link resolves to.
type Redemption struct {
	Tenant     directory.Tenant
	Invitation Invitation
	User       directory.User
}

// Resolve finds the invitation a redeem ticket names, with its tenant and
// guest. Anything that does not match is ErrUnknownTicket.
func (s *Service) Resolve(ctx context.Context, ticket string) (Redemption, error) {
	tenantID, hash, err := ParseTicket(ticket)
	if err != nil {
		return Redemption{}, err
	}
	var r Redemption
	if r.Tenant, err = s.Directory.GetTenant(ctx, tenantID); err != nil {
		return r, notFoundAs(err, ErrUnknownTicket, "resolve ticket: tenant")
	}
	if r.Invitation, err = s.Store.GetInvitationByTicket(ctx, tenantID, hash); err != nil {
		return r, notFoundAs(err, ErrUnknownTicket, "resolve ticket: invitation")
	}
	if r.User, err = s.Directory.GetUser(ctx, tenantID, r.Invitation.UserID); err != nil {
		return r, notFoundAs(err, ErrUnknownTicket, "resolve ticket: user")
	}
	return r, nil
}

func notFoundAs(err, sentinel error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return sentinel
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ActivityRedeem is the audit activity of a redemption (as the reproduced product logs it).
const ActivityRedeem = "Redeem external user invite"

// Redeem marks a guest Accepted with the identity provider it signed in
// with (fixed from now on, R7), completes its pending invitations and
// writes the audit record "Redeem external user invite", initiated by the
// guest. It joins the transaction in ctx; a guest already Accepted is
// left as is.
func (s *Service) Redeem(ctx context.Context, tenantID, userID string, idp directory.IdP, issuer string) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		var before, after directory.User
		redeemed := false
		now := s.Clock.Now()
		err := s.Directory.UpdateUser(ctx, tenantID, userID, func(u *directory.User) error {
			if u.ExternalUserState == directory.StateAccepted {
				return nil
			}
			before = *u
			u.ExternalUserState = directory.StateAccepted
			u.ExternalUserStateChangedAt = now
			u.IdP, u.IdPIssuer = idp, issuer
			after = *u
			redeemed = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("redeem: %w", err)
		}
		if !redeemed {
			return nil
		}
		if err := s.Store.CompleteUserInvitations(ctx, tenantID, userID); err != nil {
			return fmt.Errorf("redeem: %w", err)
		}
		if s.Audit == nil {
			return nil
		}
		rec, err := redeemRecord(tenantID, before, after)
		if err != nil {
			return err
		}
		if err := audit.Write(ctx, s.Audit, rec, now); err != nil {
			return fmt.Errorf("redeem: %w", err)
		}
		return nil
	})
}

// redeemRecord is the audit record of a guest's redemption, before → after.
func redeemRecord(tenantID string, before, after directory.User) (audit.Record, error) {
	state, err := audit.Changed("ExternalUserState", string(before.ExternalUserState), string(after.ExternalUserState))
	if err != nil {
		return audit.Record{}, err
	}
	idp, err := audit.Changed("IdentityProvider", emptyAsNil(string(before.IdP)), emptyAsNil(string(after.IdP)))
	if err != nil {
		return audit.Record{}, err
	}
	return audit.Record{
		TenantID: tenantID, Category: audit.CategoryUserManagement, Activity: ActivityRedeem,
		LoggedByService: LoggedByService, OperationType: audit.OperationUpdate,
		InitiatedBy: audit.Actor{UserID: after.ID, UserName: after.DisplayName, UserPrincipalName: after.UserPrincipalName},
		Targets: []audit.Target{{
			ID: after.ID, DisplayName: after.DisplayName, Type: "User",
			UserPrincipalName: after.UserPrincipalName, Modified: []audit.Change{state, idp},
		}},
	}, nil
}
