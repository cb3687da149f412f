package storetest

import (
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

func testLifecycle(t *testing.T, open Open) {
	t.Run("user_properties_round_trip", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := sampleGuest(tn, "alice@example.com")
		u.OtherMails, u.GivenName, u.Surname, u.JobTitle = []string{"a@other.example", "b@other.example"}, "Alice", "Ng", "Auditor"
		must(t, "create user", s.CreateUser(t.Context(), u))
		got, err := s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get user", err)
		wantEqual(t, "user", got, u)
		must(t, "update user", s.UpdateUser(t.Context(), tn.ID, u.ID, func(x *directory.User) error {
			x.OtherMails, x.GivenName, x.Surname, x.JobTitle = nil, "", "", "Lead auditor"
			return nil
		}))
		u.OtherMails, u.GivenName, u.Surname, u.JobTitle = nil, "", "", "Lead auditor"
		got, err = s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get user", err)
		wantEqual(t, "updated user", got, u)
	})
	t.Run("valid_after_instant_moves_forward_only", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		u := seedGuest(t, s, a, "alice@example.com")
		if got := getUser(t, s, a.ID, u.ID).TokensValidAfter; !got.IsZero() {
			t.Fatalf("a new user's instant = %v, want zero", got)
		}
		must(t, "set instant", s.SetTokensValidAfter(t.Context(), a.ID, u.ID, at(time.Hour)))
		wantEqual(t, "instant", getUser(t, s, a.ID, u.ID).TokensValidAfter, at(time.Hour))
		must(t, "set an earlier instant", s.SetTokensValidAfter(t.Context(), a.ID, u.ID, at(time.Minute)))
		wantEqual(t, "instant after an earlier one", getUser(t, s, a.ID, u.ID).TokensValidAfter, at(time.Hour))
		must(t, "set a later instant", s.SetTokensValidAfter(t.Context(), a.ID, u.ID, at(2*time.Hour)))
		wantEqual(t, "instant after a later one", getUser(t, s, a.ID, u.ID).TokensValidAfter, at(2*time.Hour))
		must(t, "rewrite the user", s.UpdateUser(t.Context(), a.ID, u.ID, func(x *directory.User) error {
			x.DisplayName = "Alice"
			return nil
		}))
		wantEqual(t, "instant after UpdateUser", getUser(t, s, a.ID, u.ID).TokensValidAfter, at(2*time.Hour))
		wantErr(t, "set the instant of A's user with B's id", s.SetTokensValidAfter(t.Context(), b.ID, u.ID, at(3*time.Hour)), store.ErrNotFound)
		wantErr(t, "set the instant of an unknown user", s.SetTokensValidAfter(t.Context(), a.ID, uuid.NewString(), at(3*time.Hour)), store.ErrNotFound)
	})
	t.Run("delete_moves_user_to_deleted", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		bystander := seedGuest(t, s, tn, "bob@example.com")
		must(t, "delete user", s.DeleteUser(t.Context(), tn.ID, u.ID, at(time.Hour)))
		_, err := s.GetUser(t.Context(), tn.ID, u.ID)
		wantErr(t, "get a deleted user", err, store.ErrNotFound)
		_, err = s.GetUserByMail(t.Context(), tn.ID, u.Mail)
		wantErr(t, "get a deleted user by mail", err, store.ErrNotFound)
		users, err := s.ListUsers(t.Context(), tn.ID, "", 0)
		must(t, "list users", err)
		wantEqual(t, "users", users, []directory.User{bystander})
		d, err := s.GetDeletedUser(t.Context(), tn.ID, u.ID)
		must(t, "get deleted user", err)
		wantEqual(t, "deleted user", d, directory.DeletedUser{User: u, DeletedAt: at(time.Hour)})
		list, err := s.ListDeletedUsers(t.Context(), tn.ID, "", 0)
		must(t, "list deleted users", err)
		wantEqual(t, "deleted users", list, []directory.DeletedUser{d})
		_, err = s.GetDeletedUser(t.Context(), tn.ID, bystander.ID)
		wantErr(t, "get a live user among the deleted", err, store.ErrNotFound)
		wantErr(t, "delete again", s.DeleteUser(t.Context(), tn.ID, u.ID, at(2*time.Hour)), store.ErrNotFound)
		wantErr(t, "update a deleted user", s.UpdateUser(t.Context(), tn.ID, u.ID, func(*directory.User) error { return nil }), store.ErrNotFound)
	})
	t.Run("restore_moves_user_back_with_password", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		m := seedMember(t, s, tn, "kim@contoso.example")
		must(t, "set password", s.SetPassword(t.Context(), tn.ID, m.ID, "$argon2id$hash", at(0)))
		must(t, "set instant", s.SetTokensValidAfter(t.Context(), tn.ID, m.ID, at(time.Hour)))
		m.TokensValidAfter = at(time.Hour)
		must(t, "delete member", s.DeleteUser(t.Context(), tn.ID, m.ID, at(time.Hour)))
		_, err := s.GetPassword(t.Context(), tn.ID, m.ID)
		wantErr(t, "password of a deleted member", err, store.ErrNotFound)
		got, err := s.RestoreUser(t.Context(), tn.ID, m.ID)
		must(t, "restore", err)
		wantEqual(t, "restored user", got, m)
		wantEqual(t, "user after restore", getUser(t, s, tn.ID, m.ID), m)
		hash, err := s.GetPassword(t.Context(), tn.ID, m.ID)
		must(t, "password after restore", err)
		wantEqual(t, "password after restore", hash, "$argon2id$hash")
		_, err = s.GetDeletedUser(t.Context(), tn.ID, m.ID)
		wantErr(t, "deleted user after restore", err, store.ErrNotFound)
		_, err = s.RestoreUser(t.Context(), tn.ID, m.ID)
		wantErr(t, "restore again", err, store.ErrNotFound)
	})
	t.Run("restore_refused_when_address_taken", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		must(t, "delete user", s.DeleteUser(t.Context(), tn.ID, u.ID, at(time.Hour)))
		seedGuest(t, s, tn, "ALICE@example.com")
		_, err := s.RestoreUser(t.Context(), tn.ID, u.ID)
		wantErr(t, "restore over a taken address", err, store.ErrAlreadyExists)
		_, err = s.GetDeletedUser(t.Context(), tn.ID, u.ID)
		must(t, "deleted user after a refused restore", err)
	})
	t.Run("purge_by_age", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		old := seedGuest(t, s, a, "old@example.com")
		older := seedGuest(t, s, b, "older@example.com")
		young := seedGuest(t, s, a, "young@example.com")
		inv := seedInvitation(t, s, old, "secret-old")
		sess := seedSession(t, s, a.ID, old.ID, "cookie-old", at(0))
		must(t, "delete old", s.DeleteUser(t.Context(), a.ID, old.ID, at(2*time.Hour)))
		must(t, "delete older", s.DeleteUser(t.Context(), b.ID, older.ID, at(time.Hour)))
		must(t, "delete young", s.DeleteUser(t.Context(), a.ID, young.ID, at(3*time.Hour)))
		due, err := s.ListDeletedUsersBefore(t.Context(), at(3*time.Hour), 0)
		must(t, "list due", err)
		if len(due) != 2 || due[0].ID != older.ID || due[1].ID != old.ID {
			t.Fatalf("due for purge = %+v, want older then old (of both tenants, oldest first)", due)
		}
		due, err = s.ListDeletedUsersBefore(t.Context(), at(3*time.Hour), 1)
		must(t, "list due with a limit", err)
		if len(due) != 1 || due[0].ID != older.ID {
			t.Fatalf("first due for purge = %+v, want older", due)
		}
		wantErr(t, "purge A's user with B's id", s.PurgeDeletedUser(t.Context(), b.ID, old.ID), store.ErrNotFound)
		must(t, "purge old", s.PurgeDeletedUser(t.Context(), a.ID, old.ID))
		_, err = s.GetDeletedUser(t.Context(), a.ID, old.ID)
		wantErr(t, "purged user", err, store.ErrNotFound)
		_, err = s.RestoreUser(t.Context(), a.ID, old.ID)
		wantErr(t, "restore a purged user", err, store.ErrNotFound)
		_, err = s.GetInvitation(t.Context(), a.ID, inv.ID)
		wantErr(t, "invitation of a purged user", err, store.ErrNotFound)
		_, err = s.GetSession(t.Context(), a.ID, sess.IDHash)
		wantErr(t, "session of a purged user", err, store.ErrNotFound)
		wantErr(t, "purge a live user", s.PurgeDeletedUser(t.Context(), a.ID, seedGuest(t, s, a, "live@example.com").ID), store.ErrNotFound)
		_, err = s.GetDeletedUser(t.Context(), a.ID, young.ID)
		must(t, "young deleted user kept", err)
	})
	t.Run("isolation_deleted_users_of_other_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		u := seedGuest(t, s, a, "alice@example.com")
		wantErr(t, "delete A's user with B's id", s.DeleteUser(t.Context(), b.ID, u.ID, at(time.Hour)), store.ErrNotFound)
		must(t, "delete", s.DeleteUser(t.Context(), a.ID, u.ID, at(time.Hour)))
		_, err := s.GetDeletedUser(t.Context(), b.ID, u.ID)
		wantErr(t, "get A's deleted user with B's id", err, store.ErrNotFound)
		list, err := s.ListDeletedUsers(t.Context(), b.ID, "", 0)
		must(t, "list B's deleted users", err)
		if len(list) != 0 {
			t.Fatalf("tenant B lists %d deleted users of tenant A", len(list))
		}
		_, err = s.RestoreUser(t.Context(), b.ID, u.ID)
		wantErr(t, "restore A's user with B's id", err, store.ErrNotFound)
	})
	t.Run("list_deleted_pages_by_id", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		var ids []string
		for _, m := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			u := seedGuest(t, s, tn, m)
			must(t, "delete", s.DeleteUser(t.Context(), tn.ID, u.ID, at(time.Hour)))
			ids = append(ids, u.ID)
		}
		first, err := s.ListDeletedUsers(t.Context(), tn.ID, "", 2)
		must(t, "first page", err)
		rest, err := s.ListDeletedUsers(t.Context(), tn.ID, first[len(first)-1].ID, 2)
		must(t, "second page", err)
		sort.Strings(ids)
		if len(first) != 2 || len(rest) != 1 || first[0].ID != ids[0] || first[1].ID != ids[1] || rest[0].ID != ids[2] {
			t.Fatalf("pages %d + %d, not the deleted users ordered by id", len(first), len(rest))
		}
	})
	// Issue 22, item 13: deletedItems/microsoft.graph.user with
	// $orderby=deletedDateTime asc|desc pages by deletion time (ties by
	// id), and $count counts the tenant's deleted users only.
	t.Run("query_deleted_by_deletion_time_and_count", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		must(t, "delete B's user", s.DeleteUser(t.Context(), other.ID, seedGuest(t, s, other, "z@example.com").ID, at(time.Minute)))
		// Deleted at 3h, 1h, 2h and 2h (a tie): by time, c then (b, d by id), then a.
		when := map[string]time.Duration{"a@example.com": 3 * time.Hour, "b@example.com": time.Hour, "c@example.com": 2 * time.Hour, "d@example.com": 2 * time.Hour}
		byMail := map[string]string{}
		for _, m := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com"} {
			u := seedGuest(t, s, tn, m)
			must(t, "delete", s.DeleteUser(t.Context(), tn.ID, u.ID, at(when[m])))
			byMail[m] = u.ID
		}
		tied := []string{byMail["c@example.com"], byMail["d@example.com"]}
		sort.Strings(tied)
		asc := []string{byMail["b@example.com"], tied[0], tied[1], byMail["a@example.com"]}
		desc := []string{asc[3], asc[2], asc[1], asc[0]}
		for _, c := range []struct {
			name string
			desc bool
			want []string
		}{{"asc", false, asc}, {"desc", true, desc}} {
			var got []string
			q := directory.DeletedQuery{ByDeletedAt: true, Desc: c.desc, Limit: 3}
			for range 3 {
				page, err := s.QueryDeletedUsers(t.Context(), tn.ID, q)
				must(t, "query "+c.name, err)
				for _, d := range page {
					got = append(got, d.ID)
				}
				if len(page) < q.Limit {
					break
				}
				last := page[len(page)-1]
				q.AfterID, q.AfterDeletedAt = last.ID, last.DeletedAt
			}
			wantEqual(t, "deleted users by deletion time "+c.name, got, c.want)
		}
		byID, err := s.QueryDeletedUsers(t.Context(), tn.ID, directory.DeletedQuery{Desc: true})
		must(t, "query by id desc", err)
		if len(byID) != 4 || byID[0].ID < byID[3].ID {
			t.Fatalf("by id desc: %d rows, first %s last %s", len(byID), byID[0].ID, byID[len(byID)-1].ID)
		}
		n, err := s.CountDeletedUsers(t.Context(), tn.ID)
		must(t, "count", err)
		if n != 4 {
			t.Fatalf("count = %d, want 4 (not the other tenant's)", n)
		}
	})
	t.Run("superseded_invitation_no_longer_resolves", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		other := seedGuest(t, s, tn, "bob@example.com")
		old := seedInvitation(t, s, u, "secret-old")
		keep := seedInvitation(t, s, other, "secret-other")
		must(t, "supersede", s.SupersedeUserInvitations(t.Context(), tn.ID, u.ID, at(time.Hour)))
		fresh := seedInvitation(t, s, u, "secret-new")
		_, err := s.GetInvitationByTicket(t.Context(), tn.ID, old.TicketHash)
		wantErr(t, "old ticket", err, store.ErrNotFound)
		got, err := s.GetInvitationByTicket(t.Context(), tn.ID, fresh.TicketHash)
		must(t, "new ticket", err)
		wantEqual(t, "new invitation", got, fresh)
		got, err = s.GetInvitationByTicket(t.Context(), tn.ID, keep.TicketHash)
		must(t, "another user's ticket", err)
		wantEqual(t, "another user's invitation", got, keep)
		got, err = s.GetInvitation(t.Context(), tn.ID, old.ID)
		must(t, "old invitation by id", err)
		wantEqual(t, "old invitation by id", got, old)
	})
}

func getUser(t *testing.T, s Store, tenantID, id string) directory.User {
	t.Helper()
	u, err := s.GetUser(t.Context(), tenantID, id)
	must(t, "get user", err)
	return u
}
