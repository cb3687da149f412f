package inactivepolicy

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/validation"
)

// ActivityUpdatePolicy is the audit record of a change of the policy.
const ActivityUpdatePolicy = "Update inactive guest policy"

// ErrUnknownSetter: Set was called by neither a member nor the operator.
var ErrUnknownSetter = errors.New("the inactive guest policy is set by a member or by the operator only")

// Settings reads and changes tenants' policies (the CLI's
// inactive-policy and the console's form). Who may change it is the
// caller's to check: what disabling users needs.
type Settings struct {
	Store Store
	Audit audit.Store
	Tx    store.Transactor
	Clock clock.Clock
}

// Get returns t's policy (off unless set).
func (s Settings) Get(ctx context.Context, t directory.Tenant) (Policy, error) {
	p, err := s.Store.GetInactivePolicy(ctx, t.ID)
	if err != nil {
		return Policy{}, fmt.Errorf("inactive guest policy: %w", err)
	}
	return p, nil
}

// Set stores p as t's policy with an audit record of the change, in one
// transaction, and returns it as stored. by is who sets it: a signed-in
// member (the console), recorded as the policy's SetBy, or audit.CLI, the
// operator; the policy later disables with that authority (R14). Any
// other actor is refused (ErrUnknownSetter): an app recorded as no one
// would hand the policy the operator's authority. An invalid p is a
// *validation.Error; the policy is then unchanged.
func (s Settings) Set(ctx context.Context, t directory.Tenant, p Policy, by audit.Actor) (Policy, error) {
	if !by.IsUser() && by != audit.CLI {
		return Policy{}, fmt.Errorf("set inactive guest policy: %w", ErrUnknownSetter)
	}
	p.TenantID, p.UpdatedAt, p.SetBy = t.ID, s.Clock.Now(), by.UserID
	if err := p.Check(); err != nil {
		return Policy{}, &validation.Error{Property: "days", Message: err.Error(), Code: "inactive_policy.invalid"}
	}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		old, err := s.Store.GetInactivePolicy(ctx, t.ID)
		if err != nil {
			return err
		}
		if err := s.Store.PutInactivePolicy(ctx, p); err != nil {
			return err
		}
		changes, err := audit.ChangesOf(
			audit.Prop{Name: "days", Set: true, Old: old.Days, New: p.Days},
			audit.Prop{Name: "warnDays", Set: true, Old: old.WarnDays, New: p.WarnDays},
		)
		if err != nil {
			return err
		}
		return audit.Write(ctx, s.Audit, audit.Record{
			TenantID: t.ID, Category: audit.CategoryUserManagement, Activity: ActivityUpdatePolicy,
			LoggedByService: "Core Directory", OperationType: audit.OperationUpdate, InitiatedBy: by,
			Targets: []audit.Target{{ID: "inactiveGuestPolicy", DisplayName: "Inactive guest policy", Type: "Policy", Modified: changes}},
		}, p.UpdatedAt)
	})
	if err != nil {
		return Policy{}, fmt.Errorf("set inactive guest policy: %w", err)
	}
	return p, nil
}
