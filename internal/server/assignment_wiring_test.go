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

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/oidc"
)

// TestWiringRefusesRefreshForUnassignedGuest (R16): through the handler
// Open builds, a guest's refresh token at an app that requires assignment
// works while she is in a group assigned to the app, and is refused
// (invalid_grant, AADSTS50105) at its next use once she leaves the group:
// the token endpoint asks the sign-in service about the grant's app.
func TestWiringRefusesRefreshForUnassignedGuest(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{}, nil)
	ops, err := s.Base().Operator()
	if err != nil {
		t.Fatal(err)
	}
	assign, err := s.Base().Assignments()
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
	if _, err := assign.SetAssignmentRequired(ctx, tn, app.AppID, true); err != nil {
		t.Fatal(err)
	}
	g, err := assign.CreateGroup(ctx, tn, groups.Input{DisplayName: "Wiki readers", MailNickname: "wiki-readers", MemberIDs: []string{inv.User.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := assign.Assign(ctx, tn, app.AppID, g.ID, ""); err != nil {
		t.Fatal(err)
	}

	refresh := func(token string) (int, string, string) {
		t.Helper()
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {app.AppID}, "client_secret": {secret}}
		r := httptest.NewRequest(http.MethodPost, "/"+tn.ID+oidc.PathToken, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		var body struct {
			Error        string `json:"error"`
			Description  string `json:"error_description"`
			ErrorCodes   []int  `json:"error_codes"`
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if body.RefreshToken != "" {
			return w.Code, body.RefreshToken, ""
		}
		return w.Code, body.Error, body.Description
	}
	token := "rt-" + strings.Repeat("y", 20) + inv.User.ID
	h := sha256.Sum256([]byte(token))
	now := s.clock.Now()
	if err := s.db.CreateOIDCRefreshToken(ctx, oidc.RefreshTokenRecord{TenantID: tn.ID, TokenHash: h[:], FamilyID: token, ClientID: app.AppID,
		UserID: inv.User.ID, Scopes: []string{"openid", "offline_access"}, AMR: []string{"otp"}, IdP: string(directory.IdPMail),
		AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	code, next, _ := refresh(token)
	if code != http.StatusOK {
		t.Fatalf("refresh while assigned through the group = %d %s, want 200", code, next)
	}
	if _, _, err := assign.RemoveMember(ctx, tn, g.ID, inv.User.ID); err != nil {
		t.Fatal(err)
	}
	code, got, desc := refresh(next)
	if code != http.StatusBadRequest || got != "invalid_grant" || !strings.HasPrefix(desc, "AADSTS50105: ") {
		t.Fatalf("R16: refresh once she left the group = %d %q %q, want 400 invalid_grant with AADSTS50105", code, got, desc)
	}
}
