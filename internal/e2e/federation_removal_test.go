package e2e

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/member"
)

// TestRemovedFederationEndsSessions is issue 20, finding 7 (as R9 for
// passcodes): a guest of each federation (SAML, OpenID Connect, Google)
// holds a browser session, a refresh token and an access token at an
// app; the federations are removed through the admin API (SAML), the
// console (OpenID Connect) and the operator's CLI (Google). Then the
// session no longer completes an app's sign-in (the page says the
// federation was removed), the refresh answers invalid_grant and
// userinfo refuses the access token. A guest who was at the partner when
// the federation went is refused on the way back, and the refusal is in
// the sign-in log.
func TestRemovedFederationEndsSessions(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		s := setUpFederations(t, dsn)
		in, rp := s.in, s.rp
		rp.OAuth.Scopes = append(rp.OAuth.Scopes, "offline_access")
		l := &e2etest.Lifecycle{T: t, In: in, Tn: s.fab, Admin: s.admin, Rp: rp}
		ctx := context.Background()

		signedInAt := map[string]*e2etest.SignedIn{}
		b := e2etest.NewBrowser(t)
		f, done := s.signInSAML(b, samlGuest)
		_, tok := rp.Finish(f, done)
		signedInAt[samlGuest] = &e2etest.SignedIn{B: b, Tok: tok}
		b = e2etest.NewBrowser(t)
		f, next := rp.ToPartner(b, oidcGuest)
		_, tok = rp.Finish(f, rp.BackAtFabrikam(b, oidcPartnerSignIn(t, b, in, s.partner.Instance, s.partner.oidcTenant, next, oidcGuest, ninaPassword)))
		signedInAt[oidcGuest] = &e2etest.SignedIn{B: b, Tok: tok}
		b = e2etest.NewBrowser(t)
		f, next = rp.ToPartner(b, gmailGuest)
		_, tok = rp.Finish(f, rp.BackAtFabrikam(b, oidcPartnerSignIn(t, b, in, s.partner.Instance, s.partner.google, next, gmailGuest, "")))
		signedInAt[gmailGuest] = &e2etest.SignedIn{B: b, Tok: tok}
		for addr, si := range signedInAt {
			if si.Tok.RefreshToken == "" {
				t.Fatalf("%s: no refresh token for offline_access", addr)
			}
			l.WantAlive(addr+" before the removal", si)
		}

		// A second sign-in of the SAML guest, at the partner when the
		// federation is removed: the partner's answer is in, the return
		// step is not.
		s.saml.SignInAs(samlGuest, nil)
		midway := e2etest.NewBrowser(t)
		_, next = rp.ToPartner(midway, samlGuest)
		callback := midway.Post(s.saml.Answer(midway, next), s.saml.Srv.URL)
		if callback.Status != http.StatusSeeOther || !strings.Contains(callback.Location, "/login/federation/return?proof=") {
			t.Fatalf("the partner's answer = %d → %q, want the return step", callback.Status, callback.Location)
		}

		// SAML through the admin API.
		var list struct {
			Value []map[string]any `json:"value"`
		}
		e2etest.API(t, s.admin, http.MethodGet, in.URL+e2etest.SAMLFedsPath, nil, &list)
		if len(list.Value) != 1 {
			t.Fatalf("SAML federations: %v", list.Value)
		}
		if st := e2etest.API(t, s.admin, http.MethodDelete, in.URL+"/v1.0/directory/federationConfigurations/"+list.Value[0]["id"].(string), nil, nil); st != http.StatusNoContent {
			t.Fatalf("DELETE the SAML federation = %d", st)
		}
		// OpenID Connect through the console, by a Global Administrator.
		ga, err := in.Srv.CreateMember(ctx, s.fab, member.NewMember{UserPrincipalName: "ga@fabrikam.example", DisplayName: "Avery Admin", Password: e2etest.ConsolePassword, AccountEnabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Srv.AssignRole(ctx, s.fab, ga.ID, "Global Administrator"); err != nil {
			t.Fatal(err)
		}
		console := e2etest.ConsoleSignIn(t, in, s.fab, "ga")
		if p := e2etest.ConsolePost(t, in, console, s.fab, "/identity-providers/"+s.oidcID+"/remove", "/identity-providers/"+s.oidcID+"/remove", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("remove the OpenID Connect federation in the console = %d\n%s", p.Status, p.Body)
		}
		// Google through the operator's CLI (guestgate idp remove).
		if err := in.Srv.RemoveFederation(ctx, s.fab, federation.GoogleID); err != nil {
			t.Fatal(err)
		}

		for addr, si := range signedInAt {
			f := rp.Begin()
			p := si.B.Follow(in, si.B.Get(f.URL))
			if p.Status != http.StatusForbidden || !strings.Contains(html.UnescapeString(p.Body), "has since removed it") || strings.Contains(p.Location, "code=") {
				t.Fatalf("F7 %s: the session at an app's sign-in after the removal = %d → %q, want the page saying the federation was removed\n%s", addr, p.Status, p.Location, p.Body)
			}
			if c := l.Refresh(si); c != "invalid_grant" {
				t.Fatalf("F7 %s: refresh after the removal = %q, want invalid_grant", addr, c)
			}
			if l.Userinfo(*si) {
				t.Fatalf("F7 %s: userinfo accepted the access token after the removal", addr)
			}
		}

		back := midway.Get(in.URL + callback.Location)
		if back.Status != http.StatusForbidden || strings.Contains(back.Location, "code=") {
			t.Fatalf("F7 mid-sign-in: the return step after the removal = %d → %q, want refused", back.Status, back.Location)
		}
		wantRefusal(t, in, s.admin, "F7_mid_sign_in", back, http.StatusForbidden, "has since removed it", 50020, "")
	})
}
