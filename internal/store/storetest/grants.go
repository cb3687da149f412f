package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleRefresh returns an unused refresh token of family for the user,
// created at createdAt and living a day.
func sampleRefresh(tenantID, family, userID, token string, createdAt time.Time) oidc.RefreshTokenRecord {
	h := sha256.Sum256([]byte(token))
	return oidc.RefreshTokenRecord{
		TenantID: tenantID, TokenHash: h[:], FamilyID: family, ClientID: "app-1", UserID: userID, SessionID: "s",
		Scopes: []string{"openid", "offline_access"}, AMR: []string{"otp"}, IdP: "mail",
		AuthTime: createdAt, CreatedAt: createdAt, ExpiresAt: createdAt.Add(24 * time.Hour),
	}
}

func seedRefresh(t *testing.T, s Store, r oidc.RefreshTokenRecord) oidc.RefreshTokenRecord {
	t.Helper()
	must(t, "create refresh token", s.CreateOIDCRefreshToken(t.Context(), r))
	return r
}

// testGrants covers refresh-token families: rotation keeps a used mark,
// a replay is recognised, and revoking a family ends it (OAuth 2.0
// Security BCP; RFC 6749 section 4.1.2 for codes).
func testGrants(t *testing.T, open Open) {
	t.Run("round_trip_with_family", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := seedRefresh(t, s, sampleRefresh(tn.ID, "fam-1", "u1", "tok", at(0)))
		got, err := s.GetOIDCRefreshToken(t.Context(), tn.ID, want.TokenHash)
		must(t, "get refresh token", err)
		wantEqual(t, "refresh token", got, want)
	})
	t.Run("F11_redeemed_auth_request_stays_until_its_handle_expires", func(t *testing.T) {
		// Issue 20, finding 11: a sign-in request completes once. Its
		// record outlives the code's redemption and expiry, until the
		// pending handle that made it no longer opens; meanwhile the
		// handle's second completion (an insert of the same id) fails.
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		done := oidc.AuthRequestRecord{TenantID: tn.ID, ID: uuid.NewString(), ClientID: "app-1", RedirectURI: "https://portal.example/callback",
			Scopes: []string{"openid"}, ResponseType: "code", MaxAge: -1, CreatedAt: at(0), ExpiresAt: at(11 * time.Minute),
			AuthCompletion: oidc.AuthCompletion{UserID: "u1", AuthTime: at(time.Minute), AMR: []string{"otp"}, IdP: "mail", SessionID: "s", DoneAt: at(time.Minute)}}
		must(t, "complete", s.CreateOIDCAuthRequest(t.Context(), done))
		unredeemed := done
		unredeemed.ID = uuid.NewString()
		must(t, "complete another", s.CreateOIDCAuthRequest(t.Context(), unredeemed))

		got, err := s.ConsumeOIDCAuthRequest(t.Context(), tn.ID, done.ID, at(2*time.Minute))
		must(t, "redeem", err)
		if got.UserID != "u1" || got.SessionID != "s" || got.AuthTime != done.AuthTime || !got.Redeemed() {
			t.Fatalf("redeemed request = %+v, want the completion and Redeemed", got)
		}
		_, err = s.ConsumeOIDCAuthRequest(t.Context(), tn.ID, done.ID, at(3*time.Minute))
		wantErr(t, "redeem again", err, store.ErrNotFound)
		kept, err := s.GetOIDCAuthRequest(t.Context(), tn.ID, done.ID)
		must(t, "get the redeemed request", err)
		if !kept.Redeemed() {
			t.Fatalf("stored request after redemption = %+v, want Redeemed", kept)
		}
		wantErr(t, "complete the redeemed request again", s.CreateOIDCAuthRequest(t.Context(), done), store.ErrAlreadyExists)

		// The codes are spent or expired, the handles still open: kept.
		_, err = s.DeleteExpiredOIDCGrants(t.Context(), at(30*time.Minute), at(-time.Minute))
		must(t, "cleanup while the handles open", err)
		for _, id := range []string{done.ID, unredeemed.ID} {
			_, err := s.GetOIDCAuthRequest(t.Context(), tn.ID, id)
			must(t, "request whose handle still opens", err)
		}
		_, err = s.DeleteExpiredOIDCGrants(t.Context(), at(2*time.Hour), at(time.Minute))
		must(t, "cleanup after the handles expired", err)
		for _, id := range []string{done.ID, unredeemed.ID} {
			_, err := s.GetOIDCAuthRequest(t.Context(), tn.ID, id)
			wantErr(t, "request whose handle expired", err, store.ErrNotFound)
		}
	})
	t.Run("consume_marks_used_and_keeps_the_record", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		r := seedRefresh(t, s, sampleRefresh(tn.ID, "fam-1", "u1", "tok", at(0)))
		got, err := s.ConsumeOIDCRefreshToken(t.Context(), tn.ID, r.TokenHash, at(time.Minute))
		must(t, "consume", err)
		r.UsedAt = at(time.Minute)
		wantEqual(t, "consumed token", got, r)
		_, err = s.ConsumeOIDCRefreshToken(t.Context(), tn.ID, r.TokenHash, at(2*time.Minute))
		wantErr(t, "consume a used token", err, store.ErrNotFound)
		kept, err := s.GetOIDCRefreshToken(t.Context(), tn.ID, r.TokenHash)
		must(t, "get used token", err)
		wantEqual(t, "used token (the replay mark)", kept.UsedAt, at(time.Minute))
		_, err = s.ConsumeOIDCRefreshToken(t.Context(), tn.ID, seedRefresh(t, s, sampleRefresh(tn.ID, "fam-2", "u1", "old", at(-25*time.Hour))).TokenHash, at(0))
		wantErr(t, "consume an expired token", err, store.ErrNotFound)
	})
	t.Run("revoke_family_deletes_it_and_only_it", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		used := seedRefresh(t, s, sampleRefresh(a.ID, "fam-1", "u1", "first", at(0)))
		_, err := s.ConsumeOIDCRefreshToken(t.Context(), a.ID, used.TokenHash, at(time.Minute))
		must(t, "rotate", err)
		next := seedRefresh(t, s, sampleRefresh(a.ID, "fam-1", "u1", "second", at(time.Minute)))
		sibling := seedRefresh(t, s, sampleRefresh(a.ID, "fam-2", "u1", "other sign-in", at(0)))
		otherTenant := seedRefresh(t, s, sampleRefresh(b.ID, "fam-1", "u9", "same family id elsewhere", at(0)))

		if revoked, err := s.OIDCGrantRevoked(t.Context(), a.ID, "fam-1"); err != nil || revoked {
			t.Fatalf("family revoked before RevokeOIDCGrant: %v %v", revoked, err)
		}
		must(t, "revoke family", s.RevokeOIDCGrant(t.Context(), a.ID, "fam-1", at(time.Hour)))
		for _, r := range []oidc.RefreshTokenRecord{used, next} {
			_, err := s.GetOIDCRefreshToken(t.Context(), a.ID, r.TokenHash)
			wantErr(t, "token of the revoked family", err, store.ErrNotFound)
		}
		for _, r := range []oidc.RefreshTokenRecord{sibling, otherTenant} {
			_, err := s.GetOIDCRefreshToken(t.Context(), r.TenantID, r.TokenHash)
			must(t, "token of another family or tenant", err)
		}
		if revoked, err := s.OIDCGrantRevoked(t.Context(), a.ID, "fam-1"); err != nil || !revoked {
			t.Fatalf("family not recorded as revoked: %v %v", revoked, err)
		}
		if revoked, err := s.OIDCGrantRevoked(t.Context(), b.ID, "fam-1"); err != nil || revoked {
			t.Fatalf("the same family id in another tenant revoked: %v %v", revoked, err)
		}
		// Revoking again (a second replay) keeps the later instant; cleanup
		// removes the record only after it.
		must(t, "revoke again, earlier", s.RevokeOIDCGrant(t.Context(), a.ID, "fam-1", at(time.Minute)))
		must(t, "revoke again, later", s.RevokeOIDCGrant(t.Context(), a.ID, "fam-1", at(2*time.Hour)))
		_, err = s.DeleteExpiredOIDCGrants(t.Context(), at(90*time.Minute), at(90*time.Minute))
		must(t, "cleanup", err)
		if revoked, _ := s.OIDCGrantRevoked(t.Context(), a.ID, "fam-1"); !revoked {
			t.Fatal("the revocation record was cleaned up before its later instant")
		}
		_, err = s.DeleteExpiredOIDCGrants(t.Context(), at(3*time.Hour), at(3*time.Hour))
		must(t, "cleanup", err)
		if revoked, _ := s.OIDCGrantRevoked(t.Context(), a.ID, "fam-1"); revoked {
			t.Fatal("the revocation record outlived its instant")
		}
	})
	t.Run("revoke_unknown_family_records_it", func(t *testing.T) {
		// A replayed code whose tokens are already gone still bars access
		// tokens issued from it.
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		fam := uuid.NewString()
		must(t, "revoke", s.RevokeOIDCGrant(t.Context(), tn.ID, fam, at(time.Hour)))
		if revoked, err := s.OIDCGrantRevoked(t.Context(), tn.ID, fam); err != nil || !revoked {
			t.Fatalf("revoked = %v %v", revoked, err)
		}
	})
}
