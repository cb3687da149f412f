package member

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/validation"
)

// SessionRevoker ends a user's sessions (session.Store has it).
type SessionRevoker interface {
	RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error
}

// Deps are what a Service uses.
type Deps struct {
	Directory directory.Store
	Store     Store
	Tx        store.Transactor
	Clock     clock.Clock
	Audit     audit.Store
	// Sessions, when set, ends a user's sessions when the account is disabled.
	Sessions SessionRevoker
	// Roles is what R14's check of enabling and disabling reads
	// (roles.CheckChange); without it such changes are refused.
	Roles roles.GuardStore
	// Limits is the wrong-password throttle (zero: DefaultLimits).
	Limits Limits
	// Params hashes new passwords (zero: DefaultParams). Tests lower it.
	Params Params
	Log    *slog.Logger
}

// Service creates members, checks their passwords and enables or disables
// their accounts. It is safe for concurrent use.
type Service struct {
	d Deps
	// dummyHash is verified when there is no password to check, so that an
	// unknown address costs the same time as a wrong password.
	dummyHash string
}

// NewService returns a Service; limits and hashing parameters must be valid.
func NewService(d Deps) (*Service, error) {
	if d.Limits == (Limits{}) {
		d.Limits = DefaultLimits
	}
	if err := d.Limits.Validate(); err != nil {
		return nil, err
	}
	if d.Params == (Params{}) {
		d.Params = DefaultParams
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	dummy, err := d.Params.Hash(uuid.NewString())
	if err != nil {
		return nil, fmt.Errorf("member service: %w", err)
	}
	return &Service{d: d, dummyHash: dummy}, nil
}

// Limits returns the throttle the service applies.
func (s *Service) Limits() Limits { return s.d.Limits }

// NewMember is what an admin gives to create a member.
type NewMember struct {
	// UserPrincipalName is the member's sign-in name, an address in one of
	// the tenant's verified domains.
	UserPrincipalName string
	DisplayName       string
	// Mail is the member's address (empty: the userPrincipalName). The
	// member signs in with it.
	Mail           string
	Password       string
	AccountEnabled bool
}

// Audit names of member changes (as the reproduced product logs them).
const (
	ActivityAddUser    = "Add user"
	ActivityUpdateUser = "Update user"
	LoggedByService    = "Core Directory"
)

// maxDisplayName bounds displayName (Graph's limit).
const maxDisplayName = 256

// CreateMember creates a member of t (userType Member, not an invitation)
// with a password, and records it in the audit log, all in one
// transaction. Bad input is a *ValidationError naming the property: a
// userPrincipalName outside t's verified domains (ErrUnverifiedDomain), an
// address another user has (ErrAddressTaken), a password CheckPassword
// refuses (*PasswordError).
func (s *Service) CreateMember(ctx context.Context, t directory.Tenant, req NewMember, by audit.Actor) (directory.User, error) {
	u, err := s.newMember(t, req)
	if err != nil {
		return directory.User{}, err
	}
	// Hash before the transaction: tens of milliseconds of CPU hold no lock.
	hash, err := s.d.Params.Hash(req.Password)
	if err != nil {
		return directory.User{}, fmt.Errorf("create member: %w", err)
	}
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		u.CreatedAt = now
		if err := s.checkAddressesFree(ctx, u); err != nil {
			return err
		}
		if err := s.d.Directory.CreateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return addressTaken(mailProperty(u))
			}
			return fmt.Errorf("create member: %w", err)
		}
		if err := s.d.Store.SetPassword(ctx, t.ID, u.ID, hash, now); err != nil {
			return fmt.Errorf("create member: %w", err)
		}
		rec, err := addRecord(u, by)
		if err != nil {
			return err
		}
		if err := audit.Write(ctx, s.d.Audit, rec, now); err != nil {
			return fmt.Errorf("create member: %w", err)
		}
		return nil
	})
	if err != nil {
		return directory.User{}, err
	}
	return u, nil
}

// newMember checks req against t and builds the user (CreatedAt unset).
func (s *Service) newMember(t directory.Tenant, req NewMember) (directory.User, error) {
	upn, err := directory.NormalizeAddress(req.UserPrincipalName)
	if err != nil {
		return directory.User{}, &ValidationError{Resource: validation.ResourceUser, Property: "userPrincipalName", Message: err.Error(), Err: err}
	}
	domain := upn[strings.LastIndexByte(upn, '@')+1:]
	if !slices.Contains(t.Domains, domain) {
		return directory.User{}, &ValidationError{Resource: validation.ResourceUser, Property: "userPrincipalName",
			Message: fmt.Sprintf("%q is not a verified domain of %s (verified: %s)", domain, t.DisplayName, strings.Join(t.Domains, ", ")),
			Err:     ErrUnverifiedDomain}
	}
	mail := upn
	if strings.TrimSpace(req.Mail) != "" {
		if mail, err = directory.NormalizeAddress(req.Mail); err != nil {
			return directory.User{}, &ValidationError{Resource: validation.ResourceUser, Property: "mail", Message: err.Error(), Err: err}
		}
	}
	name := strings.TrimSpace(req.DisplayName)
	if name == "" || len([]rune(name)) > maxDisplayName {
		return directory.User{}, &ValidationError{Resource: validation.ResourceUser, Property: "displayName", Message: fmt.Sprintf("a name of 1 to %d characters is required", maxDisplayName)}
	}
	if err := CheckPassword(req.Password, upn, mail); err != nil {
		return directory.User{}, &ValidationError{Resource: validation.ResourceUser, Property: "passwordProfile.password", Message: err.Error(), Err: err}
	}
	return directory.User{
		TenantID: t.ID, ID: uuid.NewString(), UserType: directory.UserTypeMember,
		DisplayName: name, Mail: mail, UserPrincipalName: upn, AccountEnabled: req.AccountEnabled,
	}, nil
}

// checkAddressesFree refuses a new member whose userPrincipalName or mail
// is another user's address (a guest's included: the sign-in address must
// find one user).
func (s *Service) checkAddressesFree(ctx context.Context, u directory.User) error {
	for _, a := range []struct{ property, addr string }{{"userPrincipalName", u.UserPrincipalName}, {mailProperty(u), u.Mail}} {
		_, err := s.d.Directory.GetUserByMail(ctx, u.TenantID, a.addr)
		if err == nil {
			return addressTaken(a.property)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("create member: %w", err)
		}
	}
	return nil
}

// mailProperty names the property holding u's mail in a request: "mail",
// or "userPrincipalName" when the mail is the userPrincipalName.
func mailProperty(u directory.User) string {
	if strings.EqualFold(u.Mail, u.UserPrincipalName) {
		return "userPrincipalName"
	}
	return "mail"
}

func addressTaken(property string) error {
	return &ValidationError{Resource: validation.ResourceUser, Property: property, Message: ErrAddressTaken.Error(), Err: ErrAddressTaken}
}

// Throttle keys: the account (the address signed in with, whether or not
// it is a member, so the throttle tells nothing) from one client network
// and from all of them, the client network, and the tenant.
func accountKey(addr string) string { return "account:" + strings.ToLower(strings.TrimSpace(addr)) }
func pairKey(addr, network string) string {
	return "pair:" + network + "|" + strings.ToLower(strings.TrimSpace(addr))
}
func clientKey(network string) string { return "client:" + network }

// tenantKey counts every wrong password in the tenant (Limits.TenantFailures).
const tenantKey = "tenant"

// Authenticate checks addr's password in tenant t. clientAddr is the
// caller's network address ("" when there is none, as for the CLI); it is
// counted by its network (httpx.Network). In order: an attempt
// CheckThrottle refuses is a *ThrottledError (no password is checked);
// an address that is not a member with a password, or a wrong password,
// is ErrWrongPassword and counts one failure for the account from the
// client network, the account, the client network and the tenant (one
// write transaction); a right password of a disabled account is
// ErrDisabled. Success returns the member and writes only when the
// account's failures from the client network need clearing.
func (s *Service) Authenticate(ctx context.Context, t directory.Tenant, addr, password, clientAddr string) (directory.User, error) {
	now := s.d.Clock.Now()
	network := httpx.Network(clientAddr)
	keys := []string{pairKey(addr, network), accountKey(addr), tenantKey}
	if clientAddr != "" {
		keys = append(keys, clientKey(network))
	}
	fs, err := s.d.Store.GetPasswordFailures(ctx, t.ID, keys)
	if err != nil {
		return directory.User{}, fmt.Errorf("authenticate member: %w", err)
	}
	c := Counts{
		Pair: fs[keys[0]], Account: fs[keys[1]], Tenant: fs[tenantKey],
		Client: fs[clientKey(network)], HasClient: clientAddr != "",
	}
	if err := CheckThrottle(c, now, s.d.Limits); err != nil {
		s.d.Log.InfoContext(ctx, "member sign-in throttled", "tenant", t.ID, "client", clientAddr)
		return directory.User{}, err
	}
	u, hash, err := s.credentials(ctx, t, addr)
	if err != nil {
		return directory.User{}, err
	}
	if hash == "" {
		hash = s.dummyHash // same work as a real check; never matches what counts
	}
	ok, err := VerifyPassword(hash, password)
	if err != nil {
		return directory.User{}, fmt.Errorf("authenticate member %s: %w", u.ID, err)
	}
	if !ok || u.ID == "" {
		return directory.User{}, s.recordFailure(ctx, t, s.counted(keys), clientAddr, now)
	}
	if !u.AccountEnabled {
		return directory.User{}, ErrDisabled
	}
	if NeedsClear(c.Pair, now, s.d.Limits) {
		if err := s.d.Store.ClearPasswordFailures(ctx, t.ID, keys[0]); err != nil {
			return directory.User{}, fmt.Errorf("authenticate member: clear failures: %w", err)
		}
	}
	return u, nil
}

// counted is the keys a failure counts against: those read, less the
// tenant's and the account's when their limits are off.
func (s *Service) counted(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		switch {
		case k == tenantKey && s.d.Limits.TenantFailures <= 0:
		case strings.HasPrefix(k, "account:") && s.d.Limits.AccountCeiling <= 0:
		default:
			out = append(out, k)
		}
	}
	return out
}

// credentials finds the member signing in as addr and its password hash.
// When there is none (no such user, a guest, no password) it returns a
// zero user and "", not an error.
func (s *Service) credentials(ctx context.Context, t directory.Tenant, addr string) (directory.User, string, error) {
	u, err := s.d.Directory.GetUserByMail(ctx, t.ID, strings.TrimSpace(addr))
	if errors.Is(err, store.ErrNotFound) {
		return directory.User{}, "", nil
	}
	if err != nil {
		return directory.User{}, "", fmt.Errorf("authenticate member: %w", err)
	}
	if u.IsInvited() {
		return directory.User{}, "", nil
	}
	hash, err := s.d.Store.GetPassword(ctx, t.ID, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return directory.User{}, "", nil
	}
	if err != nil {
		return directory.User{}, "", fmt.Errorf("authenticate member: %w", err)
	}
	return u, hash, nil
}

// recordFailure counts a wrong password against every key, in one
// transaction, and returns ErrWrongPassword.
func (s *Service) recordFailure(ctx context.Context, t directory.Tenant, keys []string, clientAddr string, now time.Time) error {
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		for _, k := range keys {
			if _, err := s.d.Store.AddPasswordFailure(ctx, t.ID, k, now, StaleBefore(now, s.d.Limits)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("authenticate member: record wrong password: %w", err)
	}
	s.d.Log.InfoContext(ctx, "member sign-in refused: wrong address or password", "tenant", t.ID, "client", clientAddr)
	return ErrWrongPassword
}

// SetAccountEnabled sets the user's accountEnabled and records it in the
// audit log ("Update user"), in one transaction. Disabling also ends the
// user's sessions. R14 guards a change (roles.CheckChange with as): an
// admin needs a role that manages the admin's roles, and the last enabled
// Global Administrator is never disabled. An unknown user is
// store.ErrNotFound.
func (s *Service) SetAccountEnabled(ctx context.Context, t directory.Tenant, userID string, enabled bool, by audit.Actor, as roles.Authority) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		var before, after directory.User
		err := s.d.Directory.UpdateUser(ctx, t.ID, userID, func(u *directory.User) error {
			if u.AccountEnabled != enabled {
				action := roles.DisableAccount
				if enabled {
					action = roles.EnableAccount
				}
				if err := roles.CheckChange(ctx, s.d.Roles, t, *u, as, action); err != nil {
					return err
				}
			}
			before = *u
			u.AccountEnabled = enabled
			after = *u
			return nil
		})
		if err != nil {
			return fmt.Errorf("set accountEnabled of %s: %w", userID, err)
		}
		if !enabled && s.d.Sessions != nil {
			if err := s.d.Sessions.RevokeUserSessions(ctx, t.ID, userID, now); err != nil {
				return fmt.Errorf("set accountEnabled of %s: end sessions: %w", userID, err)
			}
		}
		c, err := audit.Changed("AccountEnabled", before.AccountEnabled, after.AccountEnabled)
		if err != nil {
			return err
		}
		rec := userRecord(after, ActivityUpdateUser, audit.OperationUpdate, by, []audit.Change{c})
		if err := audit.Write(ctx, s.d.Audit, rec, now); err != nil {
			return fmt.Errorf("set accountEnabled of %s: %w", userID, err)
		}
		return nil
	})
}

// addRecord is the audit record of a new member.
func addRecord(u directory.User, by audit.Actor) (audit.Record, error) {
	var changes []audit.Change
	for _, p := range []struct {
		name string
		v    any
	}{
		{"AccountEnabled", u.AccountEnabled}, {"DisplayName", u.DisplayName}, {"Mail", u.Mail},
		{"UserPrincipalName", u.UserPrincipalName}, {"UserType", string(u.UserType)},
	} {
		c, err := audit.Changed(p.name, nil, p.v)
		if err != nil {
			return audit.Record{}, err
		}
		changes = append(changes, c)
	}
	return userRecord(u, ActivityAddUser, audit.OperationAdd, by, changes), nil
}

func userRecord(u directory.User, activity, op string, by audit.Actor, changes []audit.Change) audit.Record {
	return audit.Record{
		TenantID: u.TenantID, Category: audit.CategoryUserManagement, Activity: activity,
		LoggedByService: LoggedByService, OperationType: op, InitiatedBy: by,
		Targets: []audit.Target{{
			ID: u.ID, DisplayName: u.DisplayName, Type: "User",
			UserPrincipalName: u.UserPrincipalName, Modified: changes,
		}},
	}
}
