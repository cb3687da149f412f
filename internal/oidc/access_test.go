package oidc_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
)

// TestAccessCheckEndsGrants (R9): once the access check refuses a user
// (passcodes turned off for a passcode guest), the code exchange, the
// refresh and userinfo are refused; allowed again, a new sign-in works.
func TestAccessCheckEndsGrants(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		gp := e.goProvider(e.a)
		f := flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}
		before := e.signIn(t, f)
		pending, verifier := e.authorize(t, f)
		code := e.login(t, f, pending)

		e.access.refuse(e.guestA.ID, true)
		_, err := before.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: before.token.RefreshToken}).Token()
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("refresh of a refused user: %q, want invalid_grant", c)
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(before.token)); err == nil {
			t.Fatal("userinfo accepted the access token of a refused user")
		}
		_, err = pending.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("code exchange of a refused user: %q, want invalid_grant", c)
		}

		e.access.refuse(e.guestA.ID, false)
		after := e.signIn(t, f)
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(after.token)); err != nil {
			t.Fatalf("userinfo once allowed again: %v", err)
		}
	})
}

// TestAccessCheckIsPerApp (R16): the access check is asked about the
// app whose grant is used, so a user refused at one app (an assignment
// removed) loses that app's refresh token and userinfo at their next use,
// with the refusal's code, while another app's grant of the same user
// keeps working; allowed again, the refresh works again.
func TestAccessCheckIsPerApp(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		assigned, _ := e.createApp(e.a, true)
		other, _ := e.createApp(e.a, true)
		gp := e.goProvider(e.a)
		scopes := []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}
		at := e.signIn(t, flow{tenant: e.a, app: assigned, user: e.guestA, scopes: scopes})
		elsewhere := e.signIn(t, flow{tenant: e.a, app: other, user: e.guestA, scopes: scopes})

		e.access.refuseAt(e.guestA.ID, assigned.AppID, true)
		cfg := *at.config
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		_, err := cfg.TokenSource(e.ctx, &oauth2.Token{RefreshToken: at.token.RefreshToken}).Token()
		if body := entraBody(t, err); body.Error != "invalid_grant" || len(body.ErrorCodes) != 1 || body.ErrorCodes[0] != 50105 ||
			!strings.HasPrefix(body.ErrorDescription, "AADSTS50105: ") {
			t.Fatalf("refresh at the app the user was refused at: %+v", body)
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(at.token)); err == nil {
			t.Fatal("userinfo accepted the access token of the app the user was refused at")
		}
		tok, err := elsewhere.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: elsewhere.token.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh at another app: %v", err)
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("userinfo at another app: %v", err)
		}

		e.access.refuseAt(e.guestA.ID, assigned.AppID, false)
		again := e.signIn(t, flow{tenant: e.a, app: assigned, user: e.guestA, scopes: scopes})
		if _, err := again.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: again.token.RefreshToken}).Token(); err != nil {
			t.Fatalf("refresh once allowed again: %v", err)
		}
	})
}

// TestRefreshReadsTheUserNow: a refresh answers the user's claims as they
// are now, not as they were at the sign-in (an address changed by an
// admin shows at the next refresh and at userinfo).
func TestRefreshReadsTheUserNow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		gp := e.goProvider(e.a)
		res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", "profile", gooidc.ScopeOfflineAccess}})
		if c := jwtClaims(t, res.idToken); c["email"] != e.guestA.Mail {
			t.Fatalf("ID token email %v, want %s", c["email"], e.guestA.Mail)
		}
		const moved = "teri.ng@outlook.example"
		if err := e.db.UpdateUser(e.ctx, e.a.ID, e.guestA.ID, func(u *directory.User) error {
			u.Mail, u.DisplayName = moved, "Teri Ng"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		tok, err := res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: res.token.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		idt, _ := tok.Extra("id_token").(string)
		c := jwtClaims(t, idt)
		if c["email"] != moved || c["preferred_username"] != moved || c["name"] != "Teri Ng" {
			t.Fatalf("refreshed ID token: email %v, preferred_username %v, name %v; want the new address and name",
				c["email"], c["preferred_username"], c["name"])
		}
		if c["sub"] != jwtClaims(t, res.idToken)["sub"] {
			t.Fatal("the subject changed with the address")
		}
		info, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(tok))
		if err != nil || info.Email != moved {
			t.Fatalf("userinfo after the change: %v %v", info, err)
		}
	})
}

// TestTokenErrorsAreEntras (issue 22, item 12): the token endpoint's
// errors carry Entra's fields, as MSAL reads them: error_description led
// by the AADSTS code, error_codes, timestamp, trace_id and correlation_id
// (the client's client-request-id when sent). A refused user's code
// exchange gives the refusal's code (R9: 50020).
func TestTokenErrorsAreEntras(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		f := flow{tenant: e.a, app: app, user: e.guestA}
		pending, _ := e.authorize(t, f)
		code := e.login(t, f, pending)
		_, err := pending.config.Exchange(e.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		body := entraBody(t, err)
		if body.Error != "invalid_grant" || len(body.ErrorCodes) != 1 || body.ErrorCodes[0] != 501481 ||
			!strings.HasPrefix(body.ErrorDescription, "AADSTS501481: ") || !strings.Contains(body.ErrorDescription, "\r\nTrace ID: "+body.TraceID) ||
			body.TraceID == "" || body.CorrelationID == "" || body.Timestamp == "" {
			t.Fatalf("wrong code_verifier: %+v", body)
		}

		pending, verifier := e.authorize(t, f)
		code = e.login(t, f, pending)
		e.access.refuse(e.guestA.ID, true)
		// One try only: auto-detection would send the spent code again.
		cfg := *pending.config
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		_, err = cfg.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if body := entraBody(t, err); body.Error != "invalid_grant" || len(body.ErrorCodes) != 1 || body.ErrorCodes[0] != 50020 ||
			!strings.HasPrefix(body.ErrorDescription, "AADSTS50020: ") {
			t.Fatalf("refused user: %+v", body)
		}
	})
}

type entraErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
}

func entraBody(t *testing.T, err error) entraErrorBody {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want an OAuth error response, got %v", err)
	}
	var b entraErrorBody
	if err := json.Unmarshal(re.Body, &b); err != nil {
		t.Fatalf("token error body %q: %v", re.Body, err)
	}
	return b
}

// TestAccessCheckSharesTheRead (R16): a code exchange and a refresh each
// read the user once and the user's access to the app once: the access
// check decides on the read that gives the roles claim (the check is
// handed it, and refuses once it says the user is no longer assigned),
// never on a read of its own.
func TestAccessCheckSharesTheRead(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		assigned := assignment.Access{Required: true, Assigned: true, Roles: []string{"Approver"}}
		e.assign.set(app.AppID, e.guestA.ID, assigned)
		f := flow{tenant: e.a, app: app, user: e.guestA, scopes: []string{gooidc.ScopeOpenID, gooidc.ScopeOfflineAccess}}
		pending, verifier := e.authorize(t, f)
		code := e.login(t, f, pending)

		reads, users, handed := e.assign.readCount(), e.dir.userReads(), len(e.access.handedAccess())
		tok, err := pending.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("code exchange: %v", err)
		}
		check := func(step string) {
			t.Helper()
			if n := e.assign.readCount() - reads; n != 1 {
				t.Errorf("%s read the user's access %d times, want 1", step, n)
			}
			if n := e.dir.userReads() - users; n != 1 {
				t.Errorf("%s read the user %d times, want 1", step, n)
			}
			got := e.access.handedAccess()[handed:]
			if len(got) != 1 || !slices.Equal(got[0].Roles, assigned.Roles) || !got[0].Required || !got[0].Assigned {
				t.Errorf("%s handed the access check %+v, want once the access read for the claims %+v", step, got, assigned)
			}
			reads, users, handed = e.assign.readCount(), e.dir.userReads(), len(e.access.handedAccess())
		}
		check("the code exchange")
		idt, _ := tok.Extra("id_token").(string)
		if roles := stringList(t, jwtClaims(t, idt)["roles"]); !slices.Equal(roles, assigned.Roles) {
			t.Fatalf("ID token roles %v, want %v", roles, assigned.Roles)
		}

		refreshed, err := pending.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		check("the refresh")

		// The check decides on the access it is handed: no longer assigned,
		// the next refresh is refused with Entra's code.
		e.assign.set(app.AppID, e.guestA.ID, assignment.Access{Required: true})
		cfg := *pending.config
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		_, err = cfg.TokenSource(e.ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token()
		if body := entraBody(t, err); body.Error != "invalid_grant" || len(body.ErrorCodes) != 1 || body.ErrorCodes[0] != 50105 {
			t.Fatalf("refresh once no longer assigned: %+v", body)
		}
	})
}
