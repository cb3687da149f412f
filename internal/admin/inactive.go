package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/store"
)

// InactiveGuests lists the guests who stopped signing in and disables or
// deletes them through the lifecycle service, recorded in the audit log as
// done by the CLI (guestgate guest inactive).
type InactiveGuests struct {
	users Users
	store inactive.Store
	clock clock.Clock
}

// NewInactiveGuests builds InactiveGuests over the users' operations and
// the store's listing.
func NewInactiveGuests(u Users, s inactive.Store, c clock.Clock) (InactiveGuests, error) {
	switch {
	case u.lifecycle == nil:
		return InactiveGuests{}, errMissing("the users' operations")
	case s == nil:
		return InactiveGuests{}, errMissing("the inactive guests store")
	case c == nil:
		return InactiveGuests{}, errMissing("the clock")
	}
	return InactiveGuests{users: u, store: s, clock: c}, nil
}

// InactiveGuest is one listed guest: who they are, why they are inactive,
// and their sponsors as users of the tenant (a sponsor since deleted is
// left out).
type InactiveGuest struct {
	inactive.Guest
	Verdict     inactive.Verdict
	SponsorList []directory.User
}

// maxInactive bounds one listing: a tenant with more inactive guests is
// worked through in several runs (each run's actions shrink the list).
const maxInactive = 10000

// List returns the tenant's guests inactive for days days (at most
// maxInactive), never-signed-in first, then by last successful sign-in.
func (o InactiveGuests) List(ctx context.Context, t directory.Tenant, days int) ([]InactiveGuest, error) {
	if err := inactive.CheckDays(days); err != nil {
		return nil, err
	}
	now := o.clock.Now()
	sponsors := map[string]*directory.User{}
	var out []InactiveGuest
	for cur := (inactive.Cursor{}); len(out) < maxInactive; {
		page, err := o.store.ListInactiveGuests(ctx, t.ID, inactive.Cutoff(now, days), cur, inactive.MaxPage)
		if err != nil {
			return nil, err
		}
		for _, g := range page {
			item := InactiveGuest{Guest: g, Verdict: inactive.Decide(g.User, days, now)}
			if item.SponsorList, err = o.sponsors(ctx, t, g.Sponsors, sponsors); err != nil {
				return nil, err
			}
			out = append(out, item)
		}
		if len(page) < inactive.MaxPage {
			break
		}
		cur = inactive.Next(page[len(page)-1])
	}
	return out, nil
}

// sponsors reads each sponsor once per listing (seen caches them; nil for
// one no longer in the tenant).
func (o InactiveGuests) sponsors(ctx context.Context, t directory.Tenant, ids []string, seen map[string]*directory.User) ([]directory.User, error) {
	var out []directory.User
	for _, id := range ids {
		s, ok := seen[id]
		if !ok {
			u, err := o.users.GetUser(ctx, t, id)
			switch {
			case err == nil:
				s = &u
			case !errors.Is(err, store.ErrNotFound):
				return nil, fmt.Errorf("sponsor %s: %w", id, err)
			}
			seen[id] = s
		}
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, nil
}

// Disable disables the guest's account (as PATCH accountEnabled false),
// unless a fresh read shows them no longer an inactive guest after days
// days; done reports whether it acted.
func (o InactiveGuests) Disable(ctx context.Context, t directory.Tenant, userID string, days int) (done bool, err error) {
	v, err := o.recheck(ctx, t, userID, days)
	if err != nil || !v.Inactive || v.Disabled {
		return false, err
	}
	off := false
	if _, err := o.users.UpdateUser(ctx, t, userID, lifecycle.Patch{AccountEnabled: &off}); err != nil {
		return false, err
	}
	return true, nil
}

// Delete soft-deletes the guest (restorable for 30 days), unless a fresh
// read shows them no longer an inactive guest after days days.
func (o InactiveGuests) Delete(ctx context.Context, t directory.Tenant, userID string, days int) (done bool, err error) {
	v, err := o.recheck(ctx, t, userID, days)
	if err != nil || !v.Inactive {
		return false, err
	}
	if err := o.users.DeleteUser(ctx, t, userID); err != nil {
		return false, err
	}
	return true, nil
}

// recheck reads the user again and decides: a guest may have signed in
// since the listing.
func (o InactiveGuests) recheck(ctx context.Context, t directory.Tenant, userID string, days int) (inactive.Verdict, error) {
	u, err := o.users.GetUser(ctx, t, userID)
	if err != nil {
		return inactive.Verdict{}, err
	}
	return inactive.Decide(u, days, o.clock.Now()), nil
}
