package signin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestAcceptRechecksTheIssuer (section 3, R7; security round 2, tests a
// mutation showed missing): the decision made again at Accept must name
// the identity that was proved, issuer included. A guest proved at one
// home tenant, whose address is, by Accept, another tenant's member (the
// same identity provider, azureActiveDirectory, at another issuer), is
// not redeemed with the first tenant's issuer: Accept refuses and asks to
// start again.
func TestAcceptRechecksTheIssuer(t *testing.T) {
	ctx := context.Background()
	const browser = "csrf-cookie-of-browser-1"
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		f.member(t, f.contoso, "kim@contoso.example")
		guest := f.invite(t, f.fabrikam, "kim@contoso.example").User
		r := f.begin(t, f.fabrikam, "kim@contoso.example")
		if r.Method.Name() != signin.MethodHomeTenant {
			t.Fatalf("route = %+v, want MethodHomeTenant", r)
		}
		u, err := f.svc.StartHomeTenant(r, signin.Continuation{}, false, browser)
		if err != nil {
			t.Fatal(err)
		}
		tok := handoffToken(t, u)
		hs, err := f.svc.OpenHandoff(ctx, f.contoso, tok, browser)
		if err != nil {
			t.Fatal(err)
		}
		home, err := f.svc.HomePassword(ctx, hs, goodPassword, clientAddr)
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.HomeReturn(ctx, f.fabrikam, tok, browser, func(tid string) string {
			if tid == f.contoso.ID {
				return home.Token
			}
			return ""
		})
		if err != nil || res.Consent == nil {
			t.Fatalf("HomeReturn = %+v, %v; want a consent proof", res, err)
		}
		proved, err := f.svc.ConsentProof(f.fabrikam, res.Consent.Proof)
		if err != nil || proved.IdP != directory.IdPHomeTenant || proved.Issuer != f.svc.Issuer(f.contoso.ID) {
			t.Fatalf("proof = %+v, %v; want Contoso's issuer", proved, err)
		}

		// Before Accept, contoso.example is another managed tenant's, which
		// has kim as a member: the same kind of identity, another issuer.
		northwind := f.tenant(t, "Northwind", "northwind.example")
		now := f.clock.Now()
		if err := f.db.CreateUser(ctx, directory.User{
			TenantID: northwind.ID, ID: uuid.NewString(), UserType: directory.UserTypeMember, DisplayName: "Kim Akers",
			Mail: "kim@contoso.example", UserPrincipalName: "kim@contoso.example", AccountEnabled: true, CreatedAt: now,
		}); err != nil {
			t.Fatal(err)
		}
		f.moveDomain("contoso.example", northwind)
		if again := f.begin(t, f.fabrikam, "kim@contoso.example"); again.Method.Name() != signin.MethodHomeTenant || again.Decision.Issuer != f.svc.Issuer(northwind.ID) {
			t.Fatalf("the decision now = %+v, want Northwind's issuer", again.Decision)
		}

		if _, err := f.svc.Accept(ctx, f.fabrikam, res.Consent.Proof); !errors.Is(err, signin.ErrDecisionChanged) {
			t.Fatalf("S3_issuer_changed_before_accept: Accept = %v, want ErrDecisionChanged", err)
		}
		f.assertNotRedeemed(t, guest.ID)
	})
}
