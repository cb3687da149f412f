package policy

import (
	"context"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Deps are what a Service uses.
type Deps struct {
	Store Store
	Audit audit.Store
	Tx    store.Transactor
	Clock clock.Clock
	// AutoEnable is the deployment's auto-enable date (section 4).
	AutoEnable time.Time
}

// Service reads and changes tenants' email OTP policies.
type Service struct{ d Deps }

// NewService returns a Service; a zero AutoEnable is DefaultAutoEnableDate.
func NewService(d Deps) *Service {
	if d.AutoEnable.IsZero() {
		d.AutoEnable = DefaultAutoEnableDate
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &Service{d: d}
}

// AutoEnableDate is the deployment's auto-enable date: from it, the
// policy value "default" turns email OTP on (section 4).
func (s *Service) AutoEnableDate() time.Time { return s.d.AutoEnable }

// View is a tenant's policy with its effective state for guests and why.
type View struct {
	Stored
	Effective Effective
}

// Get returns the tenant's policy and its effective state.
func (s *Service) Get(ctx context.Context, t directory.Tenant) (View, error) {
	st, err := s.d.Store.GetEmailPolicy(ctx, t.ID)
	if err != nil {
		return View{}, fmt.Errorf("read email OTP policy: %w", err)
	}
	return s.view(st, t), nil
}

// Effective is EffectiveEmailOTP over the stored policy: whether guests of
// t may redeem and sign in with passcodes now. Every sign-in asks it.
func (s *Service) Effective(ctx context.Context, t directory.Tenant) (Effective, error) {
	v, err := s.Get(ctx, t)
	return v.Effective, err
}

func (s *Service) view(st Stored, t directory.Tenant) View {
	t.PreviewOptIn = st.PreviewOptIn // fresher than a cached tenant
	return View{Stored: st, Effective: EffectiveEmailOTP(st.Config, t, s.d.AutoEnable, s.d.Clock.Now())}
}

// Update applies a partial update (PATCH) and records it in the audit log,
// in one transaction. Setting allowExternalIdToUseEmailOtp to default
// clears the tenant's preview opt-in (section 4). Invalid values are a
// *ValidationError and change nothing. Every update writes one record,
// even one that leaves the values as they were.
func (s *Service) Update(ctx context.Context, t directory.Tenant, p Patch, by audit.Actor) (View, error) {
	if err := p.Validate(); err != nil {
		return View{}, err
	}
	return s.change(ctx, t, p, ActivityUpdate, by)
}

// Revert restores the default configuration (DELETE) and records it; the
// tenant is no longer a preview tenant afterwards.
func (s *Service) Revert(ctx context.Context, t directory.Tenant, by audit.Actor) (View, error) {
	return s.change(ctx, t, RevertPatch(), ActivityReset, by)
}

func (s *Service) change(ctx context.Context, t directory.Tenant, p Patch, activity string, by audit.Actor) (View, error) {
	var after Stored
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		var changes []audit.Change
		err := s.d.Store.UpdateEmailPolicy(ctx, t.ID, func(st *Stored) error {
			before := *st
			st.Config = p.Apply(st.Config)
			st.Config.UpdatedAt = now
			if p.ClearsPreview() {
				st.PreviewOptIn = false
			}
			var err error
			changes, err = Changes(p, before, *st)
			after = *st
			return err
		})
		if err != nil {
			return fmt.Errorf("update email OTP policy: %w", err)
		}
		return audit.Write(ctx, s.d.Audit, auditRecord(t.ID, activity, by, changes), now)
	})
	if err != nil {
		return View{}, err
	}
	return s.view(after, t), nil
}
