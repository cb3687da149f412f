package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
	"github.com/guestgate/guestgate/internal/web"
)

// TestWiringRefusesAMissingDependency (issue 21): the provider's endpoints
// take the sign-in service (their access check) and the pages (their
// logout) at construction, and the operator's operations their services:
// a dependency left out is an error when the process starts, never a
// check that passes.
func TestWiringRefusesAMissingDependency(t *testing.T) {
	cfg := Defaults()
	cfg.DatabaseURL, cfg.PublicURL, cfg.Secret = testenv.SQLiteDSN(t), "http://127.0.0.1:8080", strings.Repeat("s", 40)
	b, err := openBase(context.Background(), cfg, Options{}, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	s, err := newServices(b, metrics.New(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := otp.NewHasher(cfg.subkey("otp"))
	if err != nil {
		t.Fatal(err)
	}
	otps, err := otp.NewService(b.db, b.db, hasher, b.clock, cfg.OTP)
	if err != nil {
		t.Fatal(err)
	}
	signins, err := newSignIn(s, otps, session.NewService(b.db, b.clock, 0), directory.PublicMailDomains{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		err  func() error
	}{
		{"provider_without_its_access_check", func() error { _, err := oidcProvider(s.oidc, &web.Handler{}, nil); return err }},
		{"provider_without_the_pages", func() error { _, err := oidcProvider(s.oidc, nil, signins); return err }},
		{"provider_without_its_core", func() error { _, err := oidcProvider(nil, &web.Handler{}, signins); return err }},
		{"access_check_without_sign_in", func() error { _, err := newAccessChecker(nil); return err }},
		{"sign_in_without_assignments", func() error {
			without := *s
			without.assignments = nil
			_, err := newSignIn(&without, otps, session.NewService(b.db, b.clock, 0), directory.PublicMailDomains{})
			return err
		}},
		{"operator_users_without_lifecycle", func() error { _, err := admin.NewUsers(admin.Directory{}, nil, s.members); return err }},
		{"operator_apps_without_core", func() error { _, err := admin.NewApps(nil); return err }},
		{"operator_invitations_without_service", func() error { _, err := admin.NewInvitations(nil, true); return err }},
		{"operator_directory_without_store", func() error { _, err := admin.NewDirectory(nil, "x", b.clock); return err }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.err(); err == nil {
				t.Fatal("built with a dependency missing, want an error")
			}
		})
	}
}

// TestWiringRefusesRefreshForLockedOutGuest (issue 21; R9): through the
// handler Open builds, a passcode guest's refresh token works while
// passcodes are on and is refused (invalid_grant) once they are off: the
// token endpoint asks the sign-in service, as wired at construction.
func TestWiringRefusesRefreshForLockedOutGuest(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{}, nil)
	ops, err := s.Base().Operator()
	if err != nil {
		t.Fatal(err)
	}
	tn, err := ops.CreateTenant(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ops.Invite(ctx, tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example/"})
	if err != nil {
		t.Fatal(err)
	}
	invitations := s.Base().invitations(s.Base().collab(), s.Base().branding())
	if err := invitations.Redeem(ctx, tn.ID, inv.User.ID, directory.IdPMail, "mail"); err != nil {
		t.Fatal(err)
	}
	app, secret, err := ops.CreateApp(ctx, tn.ID, "Wiki", nil, []string{"https://wiki.fabrikam.example/cb"}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(token string) (int, string) {
		t.Helper()
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {app.AppID}, "client_secret": {secret}}
		r := httptest.NewRequest(http.MethodPost, "/"+tn.ID+oidc.PathToken, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		var body struct {
			Error        string `json:"error"`
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if body.RefreshToken != "" {
			return w.Code, body.RefreshToken
		}
		return w.Code, body.Error
	}
	grant := func() string {
		t.Helper()
		token := "rt-" + strings.Repeat("x", 20) + inv.User.ID
		h := sha256.Sum256([]byte(token))
		now := s.clock.Now()
		if err := s.db.CreateOIDCRefreshToken(ctx, oidc.RefreshTokenRecord{TenantID: tn.ID, TokenHash: h[:], FamilyID: token, ClientID: app.AppID,
			UserID: inv.User.ID, Scopes: []string{"openid", "offline_access"}, AMR: []string{"otp"}, IdP: string(directory.IdPMail),
			AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return token
	}
	token := grant()
	code, next := refresh(token)
	if code != http.StatusOK {
		t.Fatalf("refresh while passcodes are on = %d %s, want 200", code, next)
	}
	if _, err := ops.SetEmailPolicy(ctx, tn, policy.AllowDisabled); err != nil {
		t.Fatal(err)
	}
	if code, got := refresh(next); code != http.StatusBadRequest || got != "invalid_grant" {
		t.Fatalf("R9: refresh once passcodes are off = %d %q, want 400 invalid_grant", code, got)
	}
}
