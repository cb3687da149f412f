package inactivepolicy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

const (
	// DefaultInterval is how often a tenant's policy runs.
	DefaultInterval = time.Hour
	// CheckInterval is how often Run looks for tenants whose run is due.
	CheckInterval = time.Minute
	// Lease is how long a runner holds a tenant without acting on a
	// guest; a tenant whose runner died is taken over within Lease and
	// CheckInterval.
	Lease = 2 * time.Minute
)

// dueBatch bounds the tenants one check takes; pageSize the guests one
// read returns.
const (
	dueBatch = 16
	pageSize = 100
)

// ActivityDisableAccount is the audit record of each disable (the name
// the reproduced product gives it, beside its "Update user").
const ActivityDisableAccount = "Disable account"

// Actor initiates the policy's changes in the audit log.
var Actor = audit.Actor{AppName: "guestgate inactive guest policy"}

// Updater disables a user (lifecycle.Service), joining the transaction
// in ctx.
type Updater interface {
	Update(ctx context.Context, t directory.Tenant, userID string, p lifecycle.Patch, by audit.Actor, as roles.Authority) (directory.User, error)
}

// Directory reads tenants and users (directory.Store).
type Directory interface {
	GetTenant(ctx context.Context, id string) (directory.Tenant, error)
	GetUser(ctx context.Context, tenantID, id string) (directory.User, error)
}

// Deps are what a Runner uses. sqlstore.DB is the Store, the Directory,
// the Roles, the Audit, the Outbox and the Tx.
type Deps struct {
	Store     Store
	Directory Directory
	Users     Updater
	// Roles reads the roles of the policy's setter and of each guest
	// (R14: see authority).
	Roles  roles.GuardStore
	Audit  audit.Store
	Outbox mail.OutboxWriter
	Tx     store.Transactor
	// Interval is how often each tenant's policy runs; 0: DefaultInterval.
	Interval time.Duration
	// DeploymentName names the warnings' sender (mail.DefaultDeploymentName
	// when empty).
	DeploymentName string
	Clock          clock.Clock
	Log            *slog.Logger
}

// Runner applies the tenants' policies. Any number of Runners, in any
// processes, may run at once: each tenant is worked on by the one holding
// its lease.
type Runner struct{ d Deps }

// NewRunner returns a Runner. Every dependency but Interval,
// DeploymentName, Clock and Log (defaults) is required: one left out is an
// error naming it, never a runner that skips every guest (without Roles
// R14 would refuse each one) or fails at its first run.
func NewRunner(d Deps) (*Runner, error) {
	for _, dep := range []struct {
		name    string
		missing bool
	}{
		{"Store", d.Store == nil}, {"Directory", d.Directory == nil}, {"Users", d.Users == nil}, {"Roles", d.Roles == nil},
		{"Audit", d.Audit == nil}, {"Outbox", d.Outbox == nil}, {"Tx", d.Tx == nil},
	} {
		if dep.missing {
			return nil, fmt.Errorf("inactive guest policy: %s is missing: the wiring left it out", dep.name)
		}
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Interval <= 0 {
		d.Interval = DefaultInterval
	}
	return &Runner{d: d}, nil
}

// Run calls RunOnce at once, then every check, until ctx ends; errors are
// logged.
func (r *Runner) Run(ctx context.Context, check time.Duration) error {
	tick := time.NewTicker(check)
	defer tick.Stop()
	for {
		if err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.d.Log.ErrorContext(ctx, "the inactive guest policy run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Result counts what a run did.
type Result struct{ Warned, Disabled int }

// RunOnce applies every due policy whose tenant no other runner holds,
// and schedules each tenant's next run an Interval later.
func (r *Runner) RunOnce(ctx context.Context) error {
	due, err := r.d.Store.DueInactivePolicies(ctx, r.d.Clock.Now(), dueBatch)
	if err != nil {
		return fmt.Errorf("inactive guest policy: due tenants: %w", err)
	}
	for _, p := range due {
		if err := r.runTenant(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// runTenant takes the tenant's lease (nothing to do when another runner
// was first), applies its policy and schedules the next run. Only a
// failure to reach the store is returned; other failures are logged and
// the tenant is tried again at its next run.
func (r *Runner) runTenant(ctx context.Context, p Policy) error {
	owner, now := uuid.NewString(), r.d.Clock.Now()
	err := r.d.Store.LeaseInactivePolicy(ctx, p.TenantID, owner, now, now.Add(Lease))
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inactive guest policy of %s: lease: %w", p.TenantID, err)
	}
	res, err := r.apply(ctx, p, owner)
	log := r.d.Log.With("tenant_id", p.TenantID, "warned", res.Warned, "disabled", res.Disabled)
	switch {
	case errors.Is(err, errLeaseLost):
		log.InfoContext(ctx, "an inactive guest policy run stopped: another runner took over")
		return nil
	case err != nil && ctx.Err() != nil:
		return nil // stopping; the lease runs out and another runner resumes
	case err != nil:
		log.ErrorContext(ctx, "an inactive guest policy run failed; it is tried again at its next run", "err", err)
	case res.Warned+res.Disabled > 0:
		log.InfoContext(ctx, "the inactive guest policy ran")
	}
	err = r.d.Store.FinishInactivePolicyRun(ctx, p.TenantID, owner, r.d.Clock.Now().Add(r.d.Interval))
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("inactive guest policy of %s: schedule: %w", p.TenantID, err)
	}
	return nil
}

// errLeaseLost: another runner holds the tenant now.
var errLeaseLost = errors.New("the inactive guest policy's lease is lost")

// apply walks the tenant's candidates page by page and warns or disables
// each as Decide says.
func (r *Runner) apply(ctx context.Context, p Policy, owner string) (Result, error) {
	var res Result
	if err := p.Check(); err != nil {
		return res, fmt.Errorf("stored policy: %w", err)
	}
	t, err := r.d.Directory.GetTenant(ctx, p.TenantID)
	if err != nil {
		return res, fmt.Errorf("tenant: %w", err)
	}
	now := r.d.Clock.Now()
	cutoff := inactive.Cutoff(now, p.Days-p.WarnDays)
	for cur := (inactive.Cursor{}); ; {
		page, err := r.d.Store.ListInactiveCandidates(ctx, p.TenantID, cutoff, cur, pageSize)
		if err != nil {
			return res, err
		}
		for _, c := range page {
			if err := r.act(ctx, t, p, owner, c, now, &res); err != nil {
				return res, err
			}
		}
		if len(page) < pageSize {
			return res, nil
		}
		cur = inactive.Next(page[len(page)-1].Guest)
	}
}

// act applies Decide's step to one candidate. A guest the policy's setter
// may not disable (R14) is neither warned nor disabled and is logged at
// Info as left to an administrator; any other guest the policy cannot act
// on is logged as a warning and skipped; a lost lease or an unavailable
// store stops the run.
//
// A guest R14 leaves alone is found again at every run (hourly) and said
// so once per run: nothing is recorded for them, so that the day the
// setter may act (given a role) or an admin sets the policy, the guest is
// warned and disabled as any other. Warning the sponsors would be wrong:
// the mail promises a disable that does not come. A guest refused only at
// the disable (the setter lost a role after the warning) keeps the
// warning, so the sponsors are not mailed again each run either.
func (r *Runner) act(ctx context.Context, t directory.Tenant, p Policy, owner string, c Candidate, now time.Time, res *Result) error {
	var (
		done bool
		err  error
	)
	step := Decide(p, c.User, c.WarnedAt, now)
	switch step {
	case StepWarn:
		if done, err = r.warn(ctx, t, p, owner, c, now); done {
			res.Warned++
		}
	case StepDisable:
		if done, err = r.disable(ctx, t, p, owner, c, now); done {
			res.Disabled++
		}
	}
	if err == nil || errors.Is(err, errLeaseLost) || errors.Is(err, store.ErrUnavailable) || ctx.Err() != nil {
		return err
	}
	if refused(err) {
		r.d.Log.InfoContext(ctx, "the inactive guest policy leaves a guest to an administrator: whoever set the policy may not disable them (R14)",
			"tenant_id", t.ID, "user_id", c.User.ID, "step", string(step), "policy_set_by", cmp.Or(p.SetBy, "operator"), "reason", err)
		return nil
	}
	r.d.Log.WarnContext(ctx, "the inactive guest policy skipped a guest", "tenant_id", t.ID, "user_id", c.User.ID, "step", string(step), "err", err)
	return nil
}

// claim extends owner's lease to Lease from the clock's now (a long run
// keeps it), in ctx's transaction, locking the policy until it ends:
// errLeaseLost when another runner holds it.
func (r *Runner) claim(ctx context.Context, tenantID, owner string) error {
	now := r.d.Clock.Now()
	err := r.d.Store.LeaseInactivePolicy(ctx, tenantID, owner, now, now.Add(Lease))
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %w", errLeaseLost, err)
	}
	return err
}

// current reads the guest again in the transaction and reports whether
// Decide still says step: the guest may have signed in, or been disabled,
// since the page was read.
func (r *Runner) current(ctx context.Context, p Policy, c Candidate, now time.Time, step Step) (directory.User, bool, error) {
	u, err := r.d.Directory.GetUser(ctx, c.User.TenantID, c.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return u, false, nil
	}
	if err != nil {
		return u, false, err
	}
	return u, Decide(p, u, c.WarnedAt, now) == step, nil
}
