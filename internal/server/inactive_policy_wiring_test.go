package server

import (
	"context"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/invitation"
)

// TestWiringRunsTheInactivePolicy: a serving process (Run) applies the
// tenants' inactive guest policies: a guest inactive for longer than a
// policy's days, with no warning time, is disabled by the policy, with its
// "Disable account" record, without anyone calling the runner. Without
// this the policy would be a setting nothing applies.
func TestWiringRunsTheInactivePolicy(t *testing.T) {
	ctx := context.Background()
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	s := openTest(t, Options{Listener: listen(t), Clock: c, InactivePolicyInterval: time.Minute}, nil)
	ops, err := s.Base().Operator()
	if err != nil {
		t.Fatal(err)
	}
	tn, err := ops.CreateTenant(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ops.Invite(ctx, tn, invitation.Request{Email: "idle@partner.example", RedirectURL: "https://apps.fabrikam.example/"})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(100 * 24 * time.Hour)
	settings, err := s.Base().InactivePolicy()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := settings.Set(ctx, tn, inactivepolicy.Policy{Days: 90}, audit.CLI); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()
	// Run applies the due policies as it starts; wait for the disable.
	deadline := time.Now().Add(20 * time.Second)
	for {
		u, err := s.db.GetUser(ctx, tn.ID, inv.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !u.AccountEnabled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the serving process did not disable a guest past the inactive policy's days: is the runner started?")
		}
		time.Sleep(10 * time.Millisecond)
	}
	recs, err := s.db.ListAudits(ctx, tn.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Activity == inactivepolicy.ActivityDisableAccount && r.InitiatedBy == inactivepolicy.Actor &&
			len(r.Targets) == 1 && r.Targets[0].ID == inv.User.ID {
			return
		}
	}
	t.Fatalf("no %q record by the policy for the guest among %d records", inactivepolicy.ActivityDisableAccount, len(recs))
}
