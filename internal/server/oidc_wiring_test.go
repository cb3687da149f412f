package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/session"
)

// TestOIDCWiringFailsClosed (security round 2, tests a mutation showed
// missing): the provider's access check and its logout of the browser
// session reach the sign-in service and the pages, which are built after
// it. Unbound, each refuses (never a silent pass); bound by Open, the
// token endpoint's check allows a passcode guest while passcodes are on
// and refuses it once they are off (R9), and a logout ends the session.
func TestOIDCWiringFailsClosed(t *testing.T) {
	ctx := context.Background()
	t.Run("unbound_refuses", func(t *testing.T) {
		if err := (&accessChecker{}).Allowed(ctx, directory.Tenant{}, directory.User{AccountEnabled: true}); !errors.Is(err, errNotWired) || errors.Is(err, oidc.ErrAccessEnded) {
			t.Fatalf("unbound access check = %v, want a failure (not a pass, not a refusal of the user)", err)
		}
		w := httptest.NewRecorder()
		if err := (&sessionEnder{}).EndBrowserSession(w, httptest.NewRequest(http.MethodGet, "/", nil), "t"); !errors.Is(err, errNotWired) {
			t.Fatalf("unbound logout = %v, want a failure", err)
		}
	})
	t.Run("bound_by_open", func(t *testing.T) {
		s := openTest(t, Options{}, nil)
		tn, err := s.CreateTenant(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := s.Invite(ctx, tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example/"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.invitations.Redeem(ctx, tn.ID, inv.User.ID, directory.IdPMail, "mail"); err != nil {
			t.Fatal(err)
		}
		guest, err := s.db.GetUser(ctx, tn.ID, inv.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.oidcAccess.Allowed(ctx, tn, guest); err != nil {
			t.Fatalf("a passcode guest while passcodes are on: %v, want allowed", err)
		}
		if _, err := s.SetEmailPolicy(ctx, tn, policy.AllowDisabled); err != nil {
			t.Fatal(err)
		}
		if err := s.oidcAccess.Allowed(ctx, tn, guest); !errors.Is(err, oidc.ErrAccessEnded) {
			t.Fatalf("R9: a passcode guest once passcodes are off: %v, want the grant ended", err)
		}

		sessions := session.NewService(s.db, s.clock, 0)
		_, token, err := sessions.Create(ctx, tn.ID, guest.ID, string(directory.IdPMail), []string{"otp"})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/"+tn.ID+"/oauth2/v2.0/logout", nil)
		r.AddCookie(&http.Cookie{Name: httpx.CookieName(false, httpx.SessionCookie(tn.ID)), Value: token})
		if err := s.oidcSessions.EndBrowserSession(httptest.NewRecorder(), r, tn.ID); err != nil {
			t.Fatalf("logout: %v", err)
		}
		if _, err := sessions.Lookup(ctx, tn.ID, token); !errors.Is(err, session.ErrRevoked) {
			t.Fatalf("the session after logout: %v, want revoked", err)
		}
	})
}
