package signin_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// federatedGuest inserts addr as a guest of tn redeemed with f (as the
// federation route's Accept leaves it) and starts a session for it.
func (f *fixture) federatedGuest(t *testing.T, tn directory.Tenant, addr string, fed federation.Federation) (directory.User, session.Session) {
	t.Helper()
	ctx := context.Background()
	now := f.clock.Now()
	u := directory.User{
		TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: addr,
		Mail: addr, UserPrincipalName: directory.GuestUserPrincipalName(addr, tn.InitialDomain),
		CreationType: "Invitation", AccountEnabled: true,
		ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: now, CreatedAt: now,
		IdP: directory.IdPFederation, IdPIssuer: fed.IdPIssuer(),
	}
	if err := f.db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s, _, err := f.sessions.Create(ctx, tn.ID, u.ID, string(directory.IdPFederation), []string{"fed"})
	if err != nil {
		t.Fatal(err)
	}
	return u, s
}

// TestRemovedFederationEndsAccess (issue 20, finding 7; as R9 for
// passcodes): once the tenant removes the OpenID Connect or Google
// federation a guest redeemed with, the guest's live session no longer
// completes an app's sign-in and the tokens' access check (code
// exchange, refresh, userinfo) refuses the guest, in every process (it
// is read at each use). Checking the federation replaces the passcode
// policy's read: no extra read per use.
func TestRemovedFederationEndsAccess(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		oidcFed, err := f.feds.Create(ctx, f.fabrikam, federation.Draft{
			Federation: federation.Federation{Kind: federation.KindOIDC, DisplayName: "Partner OIDC",
				Issuer: "https://idp.partner-oidc.example", Domains: []string{"partner-oidc.example"},
				Settings: federation.Settings{ClientID: "fabrikam-guests"}},
			ClientSecret: "partner-secret",
		}, audit.CLI)
		if err != nil {
			t.Fatal(err)
		}
		google, err := f.feds.Create(ctx, f.fabrikam, federation.Draft{
			Federation:   federation.Federation{Kind: federation.KindGoogle, Settings: federation.Settings{ClientID: "fabrikam-google"}},
			ClientSecret: "google-secret",
		}, audit.CLI)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			rule string
			addr string
			fed  federation.Federation
		}{
			{"F7_oidc_federation_removed", "nina@partner-oidc.example", oidcFed},
			{"F7_google_removed", "teri@gmail.com", google},
		} {
			t.Run(c.rule, func(t *testing.T) {
				g, s := f.federatedGuest(t, f.fabrikam, c.addr, c.fed)
				f.takeCalls()
				if next, err := f.svc.ContinueSession(ctx, f.fabrikam, s, signin.Continuation{AuthRequestID: "ar-" + c.rule}); err != nil || !strings.Contains(next, "code=") {
					t.Fatalf("ContinueSession before the removal = %q, %v", next, err)
				}
				if reads := f.takeCalls(); slices.ContainsFunc(reads, func(r string) bool { return strings.HasPrefix(r, "Effective") }) {
					t.Fatalf("a federation guest's session read the passcode policy (%v): the federation's look-up is meant to replace it", reads)
				}
				if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, ""); err != nil {
					t.Fatalf("Allowed before the removal = %v", err)
				}

				if err := f.feds.Delete(ctx, f.fabrikam, c.fed.ID, audit.CLI); err != nil {
					t.Fatal(err)
				}
				before, _ := f.bridge.calls()
				if _, err := f.svc.ContinueSession(ctx, f.fabrikam, s, signin.Continuation{AuthRequestID: "ar-after-" + c.rule}); !errors.Is(err, federation.ErrRemoved) {
					t.Fatalf("ContinueSession after the removal = %v, want federation.ErrRemoved", err)
				}
				if after, _ := f.bridge.calls(); len(after) != len(before) {
					t.Fatalf("the session completed an app's request after the removal: %+v", after[len(before):])
				}
				err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, "")
				if !errors.Is(err, federation.ErrRemoved) || !signin.IsRefusal(err) {
					t.Fatalf("Allowed after the removal = %v, want federation.ErrRemoved (a refusal)", err)
				}
				if _, err := f.svc.Begin(ctx, f.fabrikam, c.addr); !errors.Is(err, federation.ErrRemoved) {
					t.Fatalf("Begin after the removal = %v, want federation.ErrRemoved", err)
				}
			})
		}
	})
}

// TestFederationIssuerChangeEndsAccess: changing a federation's issuer is
// removing the one its guests redeemed with (the issuer is their
// identity): the access check refuses them as for a removal.
func TestFederationIssuerChangeEndsAccess(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		fed, err := f.feds.Create(ctx, f.fabrikam, federation.Draft{
			Federation: federation.Federation{Kind: federation.KindOIDC, DisplayName: "Partner OIDC",
				Issuer: "https://idp.partner-oidc.example", Domains: []string{"partner-oidc.example"},
				Settings: federation.Settings{ClientID: "fabrikam-guests"}},
			ClientSecret: "partner-secret",
		}, audit.CLI)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := f.federatedGuest(t, f.fabrikam, "nina@partner-oidc.example", fed)
		if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, ""); err != nil {
			t.Fatalf("Allowed before = %v", err)
		}
		other := "https://login.other-partner.example"
		if _, err := f.feds.Update(ctx, f.fabrikam, fed.ID, federation.Patch{Issuer: &other}, audit.CLI); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, ""); !errors.Is(err, federation.ErrRemoved) {
			t.Fatalf("Allowed after the issuer changed = %v, want federation.ErrRemoved", err)
		}
	})
}
