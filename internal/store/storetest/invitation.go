package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleInvitation returns a pending invitation of guest u whose ticket
// hash is derived from secret.
func sampleInvitation(u directory.User, secret string) invitation.Invitation {
	h := sha256.Sum256([]byte(secret))
	return invitation.Invitation{
		TenantID: u.TenantID, ID: uuid.NewString(), UserID: u.ID,
		Email: u.Mail, DisplayName: u.DisplayName, RedirectURL: "https://app.example/welcome",
		SendMessage: true, MessageLanguage: "ja", CustomMessage: "Welcome, <b>guest</b>!",
		CCRecipients: []string{"boss@contoso.example"}, CCNames: []string{"The Boss"},
		Sponsors: []string{uuid.NewString(), uuid.NewString()}, InvitedBy: "Admin <admin@contoso.example>",
		TicketHash: h[:], Status: invitation.StatusPendingAcceptance, CreatedAt: at(2 * time.Second),
	}
}

// seedInvitation creates sampleInvitation(u, secret) in s.
func seedInvitation(t *testing.T, s Store, u directory.User, secret string) invitation.Invitation {
	t.Helper()
	inv := sampleInvitation(u, secret)
	must(t, "create invitation", s.CreateInvitation(t.Context(), inv))
	return inv
}

func testInvitation(t *testing.T, open Open) {
	t.Run("create_get", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		want := seedInvitation(t, s, u, "secret-1")
		got, err := s.GetInvitation(t.Context(), tn.ID, want.ID)
		must(t, "get invitation", err)
		wantEqual(t, "invitation", got, want)

		bare := sampleInvitation(u, "secret-2")
		bare.CCRecipients, bare.CCNames, bare.Sponsors, bare.SendMessage, bare.CustomMessage, bare.InvitedBy = nil, nil, nil, false, "", ""
		must(t, "create invitation without cc", s.CreateInvitation(t.Context(), bare))
		got, err = s.GetInvitation(t.Context(), tn.ID, bare.ID)
		must(t, "get invitation without cc", err)
		wantEqual(t, "invitation without cc", got, bare)

		_, err = s.GetInvitation(t.Context(), tn.ID, uuid.NewString())
		wantErr(t, "get unknown invitation", err, store.ErrNotFound)
	})
	t.Run("duplicate_id_or_ticket", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		inv := seedInvitation(t, s, u, "secret-1")
		sameID := sampleInvitation(u, "secret-2")
		sameID.ID = inv.ID
		wantErr(t, "create invitation with a taken id", s.CreateInvitation(t.Context(), sameID), store.ErrAlreadyExists)
		sameTicket := sampleInvitation(u, "secret-1")
		wantErr(t, "create invitation with a taken ticket", s.CreateInvitation(t.Context(), sameTicket), store.ErrAlreadyExists)
	})
	t.Run("get_by_ticket_hash", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		want := seedInvitation(t, s, u, "secret-1")
		seedInvitation(t, s, u, "secret-2")
		got, err := s.GetInvitationByTicket(t.Context(), tn.ID, sampleInvitation(u, "secret-1").TicketHash)
		must(t, "get invitation by ticket", err)
		wantEqual(t, "invitation by ticket", got, want)
		_, err = s.GetInvitationByTicket(t.Context(), tn.ID, sampleInvitation(u, "wrong").TicketHash)
		wantErr(t, "get invitation by an unknown ticket", err, store.ErrNotFound)
		_, err = s.GetInvitationByTicket(t.Context(), tn.ID, nil)
		wantErr(t, "get invitation by an empty ticket", err, store.ErrNotFound)
	})
	t.Run("isolation_invitation_not_found_in_other_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		inv := seedInvitation(t, s, seedGuest(t, s, a, "alice@example.com"), "secret-1")
		_, err := s.GetInvitation(t.Context(), b.ID, inv.ID)
		wantErr(t, "get A's invitation with B's id", err, store.ErrNotFound)
		_, err = s.GetInvitationByTicket(t.Context(), b.ID, inv.TicketHash)
		wantErr(t, "get A's invitation by ticket with B's id", err, store.ErrNotFound)
		err = s.SetInvitationStatus(t.Context(), b.ID, inv.ID, invitation.StatusError)
		wantErr(t, "set A's invitation status with B's id", err, store.ErrNotFound)
		must(t, "complete invitations with B's id", s.CompleteUserInvitations(t.Context(), b.ID, inv.UserID))
		got, err := s.GetInvitation(t.Context(), a.ID, inv.ID)
		must(t, "get invitation", err)
		wantEqual(t, "status after B's writes", got.Status, invitation.StatusPendingAcceptance)
	})
	t.Run("set_status", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		inv := seedInvitation(t, s, seedGuest(t, s, tn, "alice@example.com"), "secret-1")
		must(t, "set status", s.SetInvitationStatus(t.Context(), tn.ID, inv.ID, invitation.StatusInProgress))
		got, err := s.GetInvitation(t.Context(), tn.ID, inv.ID)
		must(t, "get invitation", err)
		wantEqual(t, "status", got.Status, invitation.StatusInProgress)
		err = s.SetInvitationStatus(t.Context(), tn.ID, uuid.NewString(), invitation.StatusError)
		wantErr(t, "set status of an unknown invitation", err, store.ErrNotFound)
	})
	t.Run("complete_user_invitations", testCompleteUserInvitations(open))
}

func testCompleteUserInvitations(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		alice, bob := seedGuest(t, s, tn, "alice@example.com"), seedGuest(t, s, tn, "bob@example.com")
		first, second := seedInvitation(t, s, alice, "a1"), seedInvitation(t, s, alice, "a2")
		failed := seedInvitation(t, s, alice, "a3")
		must(t, "set status", s.SetInvitationStatus(t.Context(), tn.ID, failed.ID, invitation.StatusError))
		other := seedInvitation(t, s, bob, "b1")
		must(t, "complete alice's invitations", s.CompleteUserInvitations(t.Context(), tn.ID, alice.ID))
		for _, c := range []struct {
			id   string
			want invitation.Status
		}{
			{first.ID, invitation.StatusCompleted},
			{second.ID, invitation.StatusCompleted},
			{failed.ID, invitation.StatusError},
			{other.ID, invitation.StatusPendingAcceptance},
		} {
			got, err := s.GetInvitation(t.Context(), tn.ID, c.id)
			must(t, "get invitation", err)
			wantEqual(t, "status of "+c.id, got.Status, c.want)
		}
		must(t, "complete invitations of a user without any", s.CompleteUserInvitations(t.Context(), tn.ID, uuid.NewString()))
	}
}
