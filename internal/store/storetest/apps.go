package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleApp returns a confidential app of the tenant created at createdAt.
func sampleApp(tenantID, name string, createdAt time.Time) oidc.App {
	return oidc.App{
		TenantID: tenantID, AppID: uuid.NewString(), DisplayName: name,
		Permissions:              []string{"User.Invite.All", "User.Read.All"},
		RedirectURIs:             []string{"https://" + name + ".example/callback", "http://localhost:8080/cb"},
		PostLogoutRedirectURIs:   []string{"https://" + name + ".example/"},
		IDTokenSignedResponseAlg: oidc.AlgRS256,
		CreatedAt:                createdAt,
	}
}

// sampleSecret is a secret of an app created at createdAt.
func sampleSecret(text string, createdAt time.Time) oidc.AppSecret {
	h := sha256.Sum256([]byte(text))
	return oidc.AppSecret{ID: uuid.NewString(), Hash: h[:], CreatedAt: createdAt}
}

func listSecrets(t *testing.T, s Store, tenantID, appID string) []oidc.AppSecret {
	t.Helper()
	list, err := s.ListAppSecrets(t.Context(), tenantID, appID)
	must(t, "list app secrets", err)
	return list
}

// seedApp creates sampleApp(…) in s.
func seedApp(t *testing.T, s Store, tenantID, name string, createdAt time.Time) oidc.App {
	t.Helper()
	a := sampleApp(tenantID, name, createdAt)
	must(t, "create app "+name, s.CreateApp(t.Context(), a))
	return a
}

func testApps(t *testing.T, open Open) {
	t.Run("id_token_alg_set_in_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		app := seedApp(t, s, a.ID, "portal", at(0))
		other := seedApp(t, s, a.ID, "wiki", at(time.Second))
		must(t, "set ES256", s.SetAppIDTokenAlg(t.Context(), a.ID, app.AppID, oidc.AlgES256))
		got, err := s.GetApp(t.Context(), a.ID, app.AppID)
		must(t, "get app", err)
		app.IDTokenSignedResponseAlg = oidc.AlgES256
		wantEqual(t, "app after ES256", got, app)
		got, err = s.GetApp(t.Context(), a.ID, other.AppID)
		must(t, "get other app", err)
		wantEqual(t, "other app", got, other)
		wantErr(t, "another tenant's app", s.SetAppIDTokenAlg(t.Context(), b.ID, app.AppID, oidc.AlgRS256), store.ErrNotFound)
		wantErr(t, "unknown app", s.SetAppIDTokenAlg(t.Context(), a.ID, uuid.NewString(), oidc.AlgRS256), store.ErrNotFound)
		if err := s.SetAppIDTokenAlg(t.Context(), a.ID, app.AppID, "HS256"); err == nil {
			t.Fatal("the store took an algorithm other than RS256 or ES256")
		}
		got, err = s.GetApp(t.Context(), a.ID, app.AppID)
		must(t, "get app", err)
		wantEqual(t, "app after a refused alg", got, app)
	})
	t.Run("create_get_confidential", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := seedApp(t, s, tn.ID, "portal", at(0))
		got, err := s.GetApp(t.Context(), tn.ID, want.AppID)
		must(t, "get app", err)
		wantEqual(t, "app", got, want)
		if got.Public() {
			t.Fatal("an app with a secret reads back as public")
		}
		_, err = s.GetApp(t.Context(), tn.ID, uuid.NewString())
		wantErr(t, "get unknown app", err, store.ErrNotFound)
	})
	t.Run("create_get_public", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := sampleApp(tn.ID, "spa", at(0))
		want.PublicClient, want.Permissions, want.PostLogoutRedirectURIs = true, nil, nil
		must(t, "create public app", s.CreateApp(t.Context(), want))
		got, err := s.GetApp(t.Context(), tn.ID, want.AppID)
		must(t, "get app", err)
		wantEqual(t, "public app", got, want)
		if !got.Public() {
			t.Fatal("an app without a secret reads back as confidential")
		}
	})
	t.Run("duplicate_app_id", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		a := seedApp(t, s, tn.ID, "portal", at(0))
		dup := sampleApp(tn.ID, "other", at(time.Second))
		dup.AppID = a.AppID
		wantErr(t, "create app with a taken id", s.CreateApp(t.Context(), dup), store.ErrAlreadyExists)
	})
	t.Run("isolation_app_not_found_in_other_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		app := seedApp(t, s, a.ID, "portal", at(0))
		_, err := s.GetApp(t.Context(), b.ID, app.AppID)
		wantErr(t, "get A's app with B's id", err, store.ErrNotFound)
		list, err := s.ListApps(t.Context(), b.ID)
		must(t, "list B's apps", err)
		if len(list) != 0 {
			t.Fatalf("tenant B lists %d apps of tenant A", len(list))
		}
	})
	t.Run("list_oldest_first", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		second := seedApp(t, s, tn.ID, "second", at(time.Hour))
		first := seedApp(t, s, tn.ID, "first", at(0))
		seedApp(t, s, other.ID, "elsewhere", at(0))
		got, err := s.ListApps(t.Context(), tn.ID)
		must(t, "list apps", err)
		wantEqual(t, "apps", got, []oidc.App{first, second})
	})
}

// testAppSecrets: several secrets per app (a rotation), removing one, and
// deleting an app with its secrets, refresh tokens and pending sign-ins.
func testAppSecrets(t *testing.T, open Open) {
	t.Run("several_secrets_oldest_first", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		a := seedApp(t, s, tn.ID, "portal", at(0))
		if got := listSecrets(t, s, tn.ID, a.AppID); len(got) != 0 {
			t.Fatalf("a new app has %d secrets", len(got))
		}
		second, first := sampleSecret("two", at(time.Hour)), sampleSecret("one", at(0))
		must(t, "add second", s.AddAppSecret(t.Context(), tn.ID, a.AppID, second))
		must(t, "add first", s.AddAppSecret(t.Context(), tn.ID, a.AppID, first))
		wantEqual(t, "secrets", listSecrets(t, s, tn.ID, a.AppID), []oidc.AppSecret{first, second})
		dup := sampleSecret("three", at(2*time.Hour))
		dup.ID = first.ID
		wantErr(t, "add a secret with a taken id", s.AddAppSecret(t.Context(), tn.ID, a.AppID, dup), store.ErrAlreadyExists)
		wantErr(t, "add a secret to an unknown app", s.AddAppSecret(t.Context(), tn.ID, uuid.NewString(), sampleSecret("x", at(0))), store.ErrNotFound)
	})
	t.Run("remove_one_secret", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		app := seedApp(t, s, a.ID, "portal", at(0))
		old, next := sampleSecret("old", at(0)), sampleSecret("new", at(time.Hour))
		must(t, "add old", s.AddAppSecret(t.Context(), a.ID, app.AppID, old))
		must(t, "add new", s.AddAppSecret(t.Context(), a.ID, app.AppID, next))
		wantErr(t, "remove A's secret with B's id", s.DeleteAppSecret(t.Context(), b.ID, app.AppID, old.ID), store.ErrNotFound)
		must(t, "remove old", s.DeleteAppSecret(t.Context(), a.ID, app.AppID, old.ID))
		wantEqual(t, "secrets after removing the old one", listSecrets(t, s, a.ID, app.AppID), []oidc.AppSecret{next})
		wantErr(t, "remove it again", s.DeleteAppSecret(t.Context(), a.ID, app.AppID, old.ID), store.ErrNotFound)
		got, err := s.GetApp(t.Context(), a.ID, app.AppID)
		must(t, "get app", err)
		must(t, "remove the last", s.DeleteAppSecret(t.Context(), a.ID, app.AppID, next.ID))
		if got.Public() {
			t.Fatal("a confidential app reads back as public")
		}
		if got, _ := s.GetApp(t.Context(), a.ID, app.AppID); got.Public() {
			t.Fatal("a confidential app without secrets became public")
		}
	})
	t.Run("delete_app_with_secrets_tokens_and_requests", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app, other := seedApp(t, s, tn.ID, "portal", at(0)), seedApp(t, s, tn.ID, "wiki", at(0))
		must(t, "add secret", s.AddAppSecret(t.Context(), tn.ID, app.AppID, sampleSecret("one", at(0))))
		must(t, "add other's secret", s.AddAppSecret(t.Context(), tn.ID, other.AppID, sampleSecret("two", at(0))))
		rt := sampleRefresh(tn.ID, "fam-1", "u1", "portal token", at(0))
		rt.ClientID = app.AppID
		seedRefresh(t, s, rt)
		keep := sampleRefresh(tn.ID, "fam-2", "u1", "wiki token", at(0))
		keep.ClientID = other.AppID
		seedRefresh(t, s, keep)
		req := oidc.AuthRequestRecord{TenantID: tn.ID, ID: uuid.NewString(), ClientID: app.AppID, RedirectURI: "https://portal.example/callback",
			ResponseType: "code", MaxAge: -1, CreatedAt: at(0), ExpiresAt: at(time.Hour)}
		must(t, "create auth request", s.CreateOIDCAuthRequest(t.Context(), req))

		must(t, "delete app", s.DeleteApp(t.Context(), tn.ID, app.AppID))
		_, err := s.GetApp(t.Context(), tn.ID, app.AppID)
		wantErr(t, "get deleted app", err, store.ErrNotFound)
		if got := listSecrets(t, s, tn.ID, app.AppID); len(got) != 0 {
			t.Fatalf("a deleted app keeps %d secrets", len(got))
		}
		_, err = s.GetOIDCRefreshToken(t.Context(), tn.ID, rt.TokenHash)
		wantErr(t, "refresh token of a deleted app", err, store.ErrNotFound)
		_, err = s.GetOIDCAuthRequest(t.Context(), tn.ID, req.ID)
		wantErr(t, "pending sign-in of a deleted app", err, store.ErrNotFound)
		_, err = s.GetOIDCRefreshToken(t.Context(), tn.ID, keep.TokenHash)
		must(t, "another app's refresh token", err)
		if got := listSecrets(t, s, tn.ID, other.AppID); len(got) != 1 {
			t.Fatalf("another app has %d secrets after the delete, want 1", len(got))
		}
		wantErr(t, "delete it again", s.DeleteApp(t.Context(), tn.ID, app.AppID), store.ErrNotFound)
	})
}
