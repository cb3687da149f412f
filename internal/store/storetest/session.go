package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleSession returns a passcode session of user started at authTime,
// whose id hash is derived from cookie.
func sampleSession(tenantID, userID, cookie string, authTime time.Time) session.Session {
	h := sha256.Sum256([]byte(cookie))
	return session.Session{
		TenantID: tenantID, IDHash: h[:], UserID: userID,
		AuthTime: authTime, ExpiresAt: authTime.Add(session.DefaultLifetime),
		AMR: []string{"otp"}, IdP: "mail",
	}
}

// seedSession creates sampleSession(…) in s.
func seedSession(t *testing.T, s Store, tenantID, userID, cookie string, authTime time.Time) session.Session {
	t.Helper()
	sess := sampleSession(tenantID, userID, cookie, authTime)
	must(t, "create session", s.CreateSession(t.Context(), sess))
	return sess
}

// getSession reads a session, failing the test on error.
func getSession(t *testing.T, s Store, tenantID string, idHash []byte) session.Session {
	t.Helper()
	sess, err := s.GetSession(t.Context(), tenantID, idHash)
	must(t, "get session", err)
	return sess
}

func testSession(t *testing.T, open Open) {
	t.Run("R4_create_get", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := seedSession(t, s, tn.ID, uuid.NewString(), "cookie-1", at(0))
		wantEqual(t, "session", getSession(t, s, tn.ID, want.IDHash), want)
		bare := sampleSession(tn.ID, want.UserID, "cookie-2", at(time.Minute))
		bare.AMR, bare.IdP = nil, "https://login.contoso.example/v2.0"
		must(t, "create session without amr", s.CreateSession(t.Context(), bare))
		wantEqual(t, "session without amr", getSession(t, s, tn.ID, bare.IDHash), bare)
		_, err := s.GetSession(t.Context(), tn.ID, sampleSession(tn.ID, "", "unknown", at(0)).IDHash)
		wantErr(t, "get unknown session", err, store.ErrNotFound)
		_, err = s.GetSession(t.Context(), tn.ID, nil)
		wantErr(t, "get session by an empty hash", err, store.ErrNotFound)
		dup := sampleSession(tn.ID, uuid.NewString(), "cookie-1", at(time.Hour))
		wantErr(t, "create session with a taken id", s.CreateSession(t.Context(), dup), store.ErrAlreadyExists)
	})
	t.Run("isolation_session_not_found_in_other_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		sess := seedSession(t, s, a.ID, uuid.NewString(), "cookie-1", at(0))
		_, err := s.GetSession(t.Context(), b.ID, sess.IDHash)
		wantErr(t, "get A's session with B's id", err, store.ErrNotFound)
		list, err := s.ListSessions(t.Context(), b.ID, sess.UserID)
		must(t, "list sessions with B's id", err)
		if len(list) != 0 {
			t.Fatalf("tenant B lists %d sessions of tenant A", len(list))
		}
		err = s.RevokeSession(t.Context(), b.ID, sess.IDHash, at(time.Minute))
		wantErr(t, "revoke A's session with B's id", err, store.ErrNotFound)
		must(t, "revoke all with B's id", s.RevokeUserSessions(t.Context(), b.ID, sess.UserID, at(time.Minute)))
		wantEqual(t, "A's session", getSession(t, s, a.ID, sess.IDHash), sess)
	})
	t.Run("list_newest_first", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		user := uuid.NewString()
		old := seedSession(t, s, tn.ID, user, "cookie-old", at(0))
		newest := seedSession(t, s, tn.ID, user, "cookie-new", at(2*time.Hour))
		middle := seedSession(t, s, tn.ID, user, "cookie-mid", at(time.Hour))
		seedSession(t, s, tn.ID, uuid.NewString(), "cookie-other", at(time.Hour))
		got, err := s.ListSessions(t.Context(), tn.ID, user)
		must(t, "list sessions", err)
		wantEqual(t, "sessions", got, []session.Session{newest, middle, old})
	})
	t.Run("R4_revoke", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		sess := seedSession(t, s, tn.ID, uuid.NewString(), "cookie-1", at(0))
		other := seedSession(t, s, tn.ID, sess.UserID, "cookie-2", at(0))
		must(t, "revoke session", s.RevokeSession(t.Context(), tn.ID, sess.IDHash, at(time.Minute)))
		wantEqual(t, "revoked at", getSession(t, s, tn.ID, sess.IDHash).RevokedAt, at(time.Minute))
		wantEqual(t, "other session", getSession(t, s, tn.ID, other.IDHash), other)
		must(t, "revoke session again", s.RevokeSession(t.Context(), tn.ID, sess.IDHash, at(time.Hour)))
		wantEqual(t, "revoked at after a second revoke", getSession(t, s, tn.ID, sess.IDHash).RevokedAt, at(time.Minute))
		err := s.RevokeSession(t.Context(), tn.ID, sampleSession(tn.ID, "", "unknown", at(0)).IDHash, at(time.Minute))
		wantErr(t, "revoke unknown session", err, store.ErrNotFound)
	})
	t.Run("R4_revoke_all_of_user", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		user := uuid.NewString()
		early := seedSession(t, s, tn.ID, user, "cookie-1", at(0))
		must(t, "revoke one", s.RevokeSession(t.Context(), tn.ID, early.IDHash, at(time.Minute)))
		live := seedSession(t, s, tn.ID, user, "cookie-2", at(time.Hour))
		bystander := seedSession(t, s, tn.ID, uuid.NewString(), "cookie-3", at(time.Hour))
		must(t, "revoke all", s.RevokeUserSessions(t.Context(), tn.ID, user, at(2*time.Hour)))
		wantEqual(t, "earlier revocation kept", getSession(t, s, tn.ID, early.IDHash).RevokedAt, at(time.Minute))
		wantEqual(t, "live session revoked", getSession(t, s, tn.ID, live.IDHash).RevokedAt, at(2*time.Hour))
		wantEqual(t, "other user's session", getSession(t, s, tn.ID, bystander.IDHash), bystander)
		must(t, "revoke all of a user without sessions", s.RevokeUserSessions(t.Context(), tn.ID, uuid.NewString(), at(0)))
	})
}
