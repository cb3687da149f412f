package inactivepolicy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/store"
)

// warn records the guest's warning and puts one mail per reachable
// sponsor (enabled, with an address) into the outbox, in one transaction
// that holds the lease: the warning exists once, with its mails, whatever
// other runners do. A guest without a reachable sponsor is recorded as
// warned all the same, so the disable still comes WarnDays later. A guest
// whoever set the policy may not disable (R14) is not warned: the mail
// would promise a disable that does not come (see act).
func (r *Runner) warn(ctx context.Context, t directory.Tenant, p Policy, owner string, c Candidate, now time.Time) (bool, error) {
	done := false
	err := r.d.Tx.InTx(ctx, func(ctx context.Context) error {
		done = false
		if err := r.claim(ctx, t.ID, owner); err != nil {
			return err
		}
		u, ok, err := r.current(ctx, p, c, now, StepWarn)
		if err != nil || !ok {
			return err
		}
		if err := r.mayDisable(ctx, t, p, u); err != nil {
			return err
		}
		if err := r.d.Store.RecordInactiveWarning(ctx, t.ID, u.ID, now); err != nil {
			return err
		}
		sent, err := r.mailSponsors(ctx, t, p, u, c.Sponsors, now)
		if err != nil {
			return err
		}
		if sent == 0 {
			r.d.Log.InfoContext(ctx, "an inactive guest has no sponsor to warn", "tenant_id", t.ID, "user_id", u.ID)
		}
		done = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("warn the sponsors of %s: %w", c.User.ID, err)
	}
	return done, nil
}

// mailSponsors enqueues the warning to each reachable sponsor, in the
// sponsor's preferred language, else the tenant's, and returns how many.
func (r *Runner) mailSponsors(ctx context.Context, t directory.Tenant, p Policy, u directory.User, sponsors []string, now time.Time) (int, error) {
	v := inactive.Decide(u, p.Days-p.WarnDays, now)
	n := 0
	for _, id := range sponsors {
		s, err := r.d.Directory.GetUser(ctx, t.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("sponsor %s: %w", id, err)
		}
		if !s.AccountEnabled || s.Mail == "" {
			continue
		}
		msg, err := mail.RenderInactiveWarning(mail.InactiveWarningMail{
			CreatedAt: now, Language: firstNonEmpty(s.PreferredLanguage, t.NotificationLanguage),
			DeploymentName: r.d.DeploymentName, TenantID: t.ID, TenantName: t.DisplayName, To: s.Mail,
			GuestName: u.DisplayName, GuestMail: u.Mail, LastActive: v.LastActive,
			Never: v.Reason == inactive.ReasonNeverSignedIn, Days: p.Days,
			DisableOn: DisableOn(p, v.LastActive, now),
		})
		if err != nil {
			return n, err
		}
		if err := r.d.Outbox.EnqueueMail(ctx, msg); err != nil {
			return n, fmt.Errorf("enqueue warning: %w", err)
		}
		n++
	}
	return n, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
