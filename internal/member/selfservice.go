package member

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/validation"
)

// SelfServiceAccount is an account a person creates for themselves in the
// consumers directory (a personal account) or in an unmanaged tenant,
// after proving the address: checked and its password hashed before any
// transaction (PrepareSelfService), written inside the one that uses the
// proof (CreateSelfService).
type SelfServiceAccount struct {
	user directory.User
	hash string
}

// Address is the account's address.
func (a SelfServiceAccount) Address() string { return a.user.Mail }

// SelfServiceActor is who a self-service account's audit record names.
var SelfServiceActor = audit.Actor{AppName: "Self-service sign-up"}

// PrepareSelfService checks a self-service account: the address is its
// userPrincipalName and mail (no verified domain is required: the
// consumers directory has none, an unmanaged tenant's is the address's
// own), the password follows the members' rules (CheckPassword); then it
// hashes the password. Bad input is a *ValidationError.
func (s *Service) PrepareSelfService(addr, displayName, password string) (SelfServiceAccount, error) {
	a, err := directory.NormalizeAddress(addr)
	if err != nil {
		return SelfServiceAccount{}, &ValidationError{Resource: validation.ResourceUser, Property: "mail", Message: err.Error(), Err: err}
	}
	name := strings.TrimSpace(displayName)
	if name == "" {
		name = a[:strings.IndexByte(a, '@')]
	}
	if len([]rune(name)) > maxDisplayName {
		return SelfServiceAccount{}, &ValidationError{Resource: validation.ResourceUser, Property: "displayName", Message: fmt.Sprintf("a name of 1 to %d characters is required", maxDisplayName)}
	}
	if err := CheckPassword(password, a); err != nil {
		return SelfServiceAccount{}, &ValidationError{Resource: validation.ResourceUser, Property: "passwordProfile.password", Message: err.Error(), Err: err}
	}
	hash, err := s.d.Params.Hash(password)
	if err != nil {
		return SelfServiceAccount{}, fmt.Errorf("self-service account: %w", err)
	}
	return SelfServiceAccount{
		user: directory.User{
			ID: uuid.NewString(), UserType: directory.UserTypeMember, DisplayName: name,
			Mail: a, UserPrincipalName: a, AccountEnabled: true, CreationType: "SelfServiceSignUp",
		},
		hash: hash,
	}, nil
}

// CreateSelfService writes a prepared account into t (the consumers
// directory or an unmanaged tenant) with its password and audit record,
// joining the transaction in ctx. An address t already has is
// ErrAddressTaken.
func (s *Service) CreateSelfService(ctx context.Context, t directory.Tenant, a SelfServiceAccount) (directory.User, error) {
	if t.Managed && !directory.IsConsumers(t.ID) {
		return directory.User{}, fmt.Errorf("self-service account in managed tenant %s: %w", t.ID, ErrUnverifiedDomain)
	}
	u := a.user
	u.TenantID = t.ID
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		u.CreatedAt = now
		if err := s.checkAddressesFree(ctx, u); err != nil {
			return err
		}
		if err := s.d.Directory.CreateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return addressTaken("mail")
			}
			return fmt.Errorf("create self-service account: %w", err)
		}
		if err := s.d.Store.SetPassword(ctx, t.ID, u.ID, a.hash, now); err != nil {
			return fmt.Errorf("create self-service account: %w", err)
		}
		rec, err := addRecord(u, SelfServiceActor)
		if err != nil {
			return err
		}
		return audit.Write(ctx, s.d.Audit, rec, now)
	})
	if err != nil {
		return directory.User{}, err
	}
	return u, nil
}
