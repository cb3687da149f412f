package storetest

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactive"
)

// testInactiveGuests: the listing of inactive guests (migration 0024)
// agrees with inactive.Decide, stays in its tenant, pages without gaps or
// repeats, and carries each guest's sponsors from the latest invitation.
func testInactiveGuests(t *testing.T, open Open) {
	const days = 90
	day := 24 * time.Hour
	now := at(400 * day)
	cutoff := inactive.Cutoff(now, days)
	// seed creates a guest created at created whose last successful
	// sign-in is lastOK (zero for never).
	seed := func(t *testing.T, s Store, tn directory.Tenant, mail string, created, lastOK time.Time, enabled bool) directory.User {
		t.Helper()
		u := sampleGuest(tn, mail)
		u.CreatedAt, u.AccountEnabled = created, enabled
		u.SignInActivity.LastSuccessfulSignIn = lastOK
		must(t, "create guest "+mail, s.CreateUser(t.Context(), u))
		return u
	}
	ids := func(list []inactive.Guest) []string {
		var out []string
		for _, g := range list {
			out = append(out, g.User.ID)
		}
		return out
	}
	t.Run("rule_decide_agrees_and_tenant_scoped", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		stale := seed(t, s, tn, "stale@gmail.example", at(0), now.Add(-120*day), true)
		never := seed(t, s, tn, "never@gmail.example", now.Add(-100*day), time.Time{}, true)
		disabled := seed(t, s, tn, "off@gmail.example", at(0), now.Add(-95*day), false)
		seed(t, s, tn, "recent@gmail.example", at(0), now.Add(-10*day), true)
		seed(t, s, tn, "atcutoff@gmail.example", at(0), cutoff, true)
		seed(t, s, tn, "newinvite@gmail.example", now.Add(-5*day), time.Time{}, true)
		seed(t, s, other, "elsewhere@gmail.example", at(0), time.Time{}, true)
		m := seedMember(t, s, tn, "admin@contoso.example") // created at(0), never signed in
		got, err := s.ListInactiveGuests(t.Context(), tn.ID, cutoff, inactive.Cursor{}, 0)
		must(t, "list", err)
		// never signed in first, then by last successful sign-in
		wantEqual(t, "inactive guests", ids(got), []string{never.ID, stale.ID, disabled.ID})
		for _, g := range got {
			if v := inactive.Decide(g.User, days, now); !v.Inactive {
				t.Fatalf("listed %s but Decide says active", g.User.Mail)
			}
			if g.User.TenantID != tn.ID || g.User.ID == m.ID {
				t.Fatalf("listed %s of tenant %s", g.User.Mail, g.User.TenantID)
			}
		}
		wantEqual(t, "disabled guest listed disabled", got[2].User.AccountEnabled, false)
		wantEqual(t, "activity read back", got[1].User.SignInActivity.LastSuccessfulSignIn, now.Add(-120*day))
	})
	t.Run("sponsors_from_latest_invitation", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		g := seed(t, s, tn, "stale@gmail.example", at(0), time.Time{}, true)
		bare := seed(t, s, tn, "bare@gmail.example", at(time.Second), time.Time{}, true)
		first := sampleInvitation(g, "first")
		must(t, "first invitation", s.CreateInvitation(t.Context(), first))
		latest := sampleInvitation(g, "latest")
		latest.CreatedAt, latest.InvitedBy = at(time.Hour), "Ana <ana@contoso.example>"
		must(t, "latest invitation", s.CreateInvitation(t.Context(), latest))
		got, err := s.ListInactiveGuests(t.Context(), tn.ID, cutoff, inactive.Cursor{}, 0)
		must(t, "list", err)
		byID := map[string]inactive.Guest{}
		for _, x := range got {
			byID[x.User.ID] = x
		}
		wantEqual(t, "guests", len(byID), 2)
		wantEqual(t, "sponsors", byID[g.ID].Sponsors, latest.Sponsors)
		wantEqual(t, "invited by", byID[g.ID].InvitedBy, latest.InvitedBy)
		wantEqual(t, "no invitation, no sponsors", byID[bare.ID].Sponsors, []string(nil))
	})
	t.Run("pages_without_gaps_or_repeats", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		var want []string
		for i, last := range []time.Duration{0, 0, 0, -300 * day, -300 * day, -200 * day, -100 * day} {
			var lastOK time.Time
			if last != 0 {
				lastOK = now.Add(last)
			}
			u := seed(t, s, tn, string(rune('a'+i))+"@gmail.example", at(0), lastOK, true)
			want = append(want, u.ID)
		}
		full, err := s.ListInactiveGuests(t.Context(), tn.ID, cutoff, inactive.Cursor{}, 0)
		must(t, "full list", err)
		var paged []string
		cur := inactive.Cursor{}
		for range want {
			page, err := s.ListInactiveGuests(t.Context(), tn.ID, cutoff, cur, 2)
			must(t, "page", err)
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("page of %d, limit 2", len(page))
			}
			paged = append(paged, ids(page)...)
			cur = inactive.Next(page[len(page)-1])
		}
		wantEqual(t, "paged equals full", paged, ids(full))
		if len(paged) != len(want) {
			t.Fatalf("paged %d guests, want %d", len(paged), len(want))
		}
	})
}
