package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/store"
)

// testRequestMemo: in a request's context (store.WithRequestMemo), an
// engine may answer a read from what an earlier read of the request
// brought along; the answers must be those of the database, in the
// tenant asked for, and a change the request makes must show.
func testRequestMemo(t *testing.T, open Open) {
	t.Run("user_and_policy", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		u := seedGuest(t, s, tn, "kim@partner.example")
		must(t, "policy", setAllowExternal(t.Context(), s, tn.ID, policy.AllowEnabled))
		want := getPolicy(t, s, tn.ID)
		ctx := store.WithRequestMemo(t.Context())
		got, err := s.GetUserByMail(ctx, tn.ID, "Kim@Partner.example")
		must(t, "user by mail", err)
		wantEqual(t, "user by mail", got, u)
		byID, err := s.GetUser(ctx, tn.ID, u.ID)
		must(t, "user", err)
		wantEqual(t, "user", byID, u)
		p, err := s.GetEmailPolicy(ctx, tn.ID)
		must(t, "policy", err)
		wantEqual(t, "policy read with the user", p, want)
		p, err = s.GetEmailPolicy(ctx, other.ID)
		must(t, "other tenant's policy", err)
		wantEqual(t, "other tenant's policy", p, getPolicy(t, s, other.ID))
		_, err = s.GetUserByMail(ctx, other.ID, "kim@partner.example")
		wantErr(t, "user in another tenant", err, store.ErrNotFound)
		unknown := store.WithRequestMemo(t.Context())
		_, err = s.GetUserByMail(unknown, tn.ID, "nobody@partner.example")
		wantErr(t, "an address that is no user", err, store.ErrNotFound)
		p, err = s.GetEmailPolicy(unknown, tn.ID)
		must(t, "policy after an unknown address", err)
		wantEqual(t, "policy after an unknown address", p, want)
		_, err = s.GetUserByMail(unknown, uuid.NewString(), "kim@partner.example")
		wantErr(t, "a user of no tenant", err, store.ErrNotFound)
		must(t, "change the policy", setAllowExternal(ctx, s, tn.ID, policy.AllowDisabled))
		p, err = s.GetEmailPolicy(ctx, tn.ID)
		must(t, "policy after the change", err)
		wantEqual(t, "policy after the request changed it", p.Config.AllowExternal, policy.AllowDisabled)
	})
	t.Run("user_and_policy_in_a_transaction", func(t *testing.T) {
		// A transaction that reads a user with the policy and then the
		// policy (the sign-in's, deciding again where the session starts)
		// gets the policy as the database has it, in the tenant asked for,
		// and a change it makes shows.
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		u := seedGuest(t, s, tn, "kim@partner.example")
		must(t, "policy", setAllowExternal(t.Context(), s, tn.ID, policy.AllowEnabled))
		want, wantOther := getPolicy(t, s, tn.ID), getPolicy(t, s, other.ID)
		err := s.InTx(store.WithRequestMemo(t.Context()), func(ctx context.Context) error {
			got, err := s.GetUserByMail(ctx, tn.ID, "Kim@Partner.example")
			must(t, "user by mail", err)
			wantEqual(t, "user by mail", got, u)
			byID, err := s.GetUser(ctx, tn.ID, u.ID)
			must(t, "user", err)
			wantEqual(t, "user", byID, u)
			p, err := s.GetEmailPolicy(ctx, tn.ID)
			must(t, "policy", err)
			wantEqual(t, "policy read with the user", p, want)
			p, err = s.GetEmailPolicy(ctx, other.ID)
			must(t, "other tenant's policy", err)
			wantEqual(t, "other tenant's policy", p, wantOther)
			_, err = s.GetUser(ctx, other.ID, u.ID)
			wantErr(t, "user in another tenant", err, store.ErrNotFound)
			must(t, "change the policy", setAllowExternal(ctx, s, tn.ID, policy.AllowDisabled))
			p, err = s.GetEmailPolicy(ctx, tn.ID)
			must(t, "policy after the change", err)
			wantEqual(t, "policy after the transaction changed it", p.Config.AllowExternal, policy.AllowDisabled)
			return nil
		})
		must(t, "transaction", err)
		// What a transaction kept is its own: outside it, the database answers.
		p, err := s.GetEmailPolicy(store.WithRequestMemo(t.Context()), tn.ID)
		must(t, "policy after the transaction", err)
		wantEqual(t, "policy after the transaction", p.Config.AllowExternal, policy.AllowDisabled)
	})
	t.Run("app_secrets_and_request", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		first := sampleSecret("one", at(0))
		must(t, "add secret", s.AddAppSecret(t.Context(), tn.ID, app.AppID, first))
		req := oidc.AuthRequestRecord{TenantID: tn.ID, ID: uuid.NewString(), ClientID: app.AppID, RedirectURI: "https://portal.example/callback",
			ResponseType: "code", MaxAge: -1, CreatedAt: at(0), ExpiresAt: at(time.Hour)}
		must(t, "create auth request", s.CreateOIDCAuthRequest(t.Context(), req))
		wantReq, err := s.GetOIDCAuthRequest(t.Context(), tn.ID, req.ID)
		must(t, "auth request", err)

		ctx := store.WithRequestMemo(t.Context())
		gotReq, err := s.GetOIDCAuthRequest(ctx, tn.ID, req.ID)
		must(t, "auth request in a request", err)
		wantEqual(t, "auth request", gotReq, wantReq)
		got, err := s.GetApp(ctx, tn.ID, app.AppID)
		must(t, "app", err)
		wantEqual(t, "app read with its request", got, app)
		secrets, err := s.ListAppSecrets(ctx, tn.ID, app.AppID)
		must(t, "secrets", err)
		wantEqual(t, "secrets", secrets, listSecrets(t, s, tn.ID, app.AppID))
		_, err = s.GetApp(ctx, other.ID, app.AppID)
		wantErr(t, "app in another tenant", err, store.ErrNotFound)
		_, err = s.GetOIDCAuthRequest(ctx, other.ID, req.ID)
		wantErr(t, "request in another tenant", err, store.ErrNotFound)

		second := sampleSecret("two", at(time.Minute))
		must(t, "add a secret in the request", s.AddAppSecret(ctx, tn.ID, app.AppID, second))
		secrets, err = s.ListAppSecrets(ctx, tn.ID, app.AppID)
		must(t, "secrets after the change", err)
		if len(secrets) != 2 {
			t.Fatalf("%d secrets after the request added one; want 2", len(secrets))
		}
		must(t, "delete the app in the request", s.DeleteApp(ctx, tn.ID, app.AppID))
		_, err = s.GetApp(ctx, tn.ID, app.AppID)
		wantErr(t, "app the request deleted", err, store.ErrNotFound)

		bare := seedApp(t, s, tn.ID, "wiki", at(0))
		got, err = s.GetApp(store.WithRequestMemo(t.Context()), tn.ID, bare.AppID)
		must(t, "app without secrets", err)
		wantEqual(t, "app without secrets", got, bare)
	})
}
