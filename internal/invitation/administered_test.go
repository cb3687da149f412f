package invitation

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

// TestNoInvitationsFromUnadministeredDirectories (R15; security round 2,
// finding 2): an unmanaged tenant and the consumers directory have no
// administrator, so nothing invites in their name — by any path (API,
// console, CLI all call this service) — and nothing is read or written.
func TestNoInvitationsFromUnadministeredDirectories(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	um, err := directory.NewUnmanagedTenant("northwind.example", "guestgate.local", directory.PublicMailDomains{}, now)
	if err != nil {
		t.Fatal(err)
	}
	// The Service has no store: any read or write would panic.
	s := NewService(Config{PublicURL: "https://id.guestgate.example"}, Deps{Audit: struct{ audit.Store }{}, Sessions: struct{ SessionRevoker }{}})
	req := Request{Email: "victim@partner.example", RedirectURL: "https://evil.example/", SendMessage: true}
	for _, tn := range []directory.Tenant{um, directory.ConsumersTenant("guestgate.local", now)} {
		if _, err := s.Invite(context.Background(), tn, req); !errors.Is(err, ErrNotAdministered) {
			t.Errorf("R15_%s_invites_nobody: Invite = %v, want ErrNotAdministered", tn.DisplayName, err)
		}
		if _, err := s.ResetRedemption(context.Background(), tn, "some-user", req, audit.CLI, roles.AsOperator()); !errors.Is(err, ErrNotAdministered) {
			t.Errorf("R15_%s_resets_nobody: ResetRedemption = %v, want ErrNotAdministered", tn.DisplayName, err)
		}
	}
}
