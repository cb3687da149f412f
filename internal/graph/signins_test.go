package graph

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
)

func TestSignInShape(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	guest := audit.SignIn{
		TenantID: "tid", ID: "sid", CreatedAt: at, UserID: "uid", UserPrincipalName: "teri_gmail.example#EXT#@f.local",
		UserDisplayName: "Teri", UserType: audit.SignInGuest, AppID: "app", AppDisplayName: "Wiki", IPAddress: "192.0.2.7",
		UserAgent: "UA", ClientAppUsed: audit.SignInBrowser, CorrelationID: "corr", FailureReason: "Other.",
		IdP: "mail", AuthenticationMethod: "Email OTP", CrossTenantAccessType: audit.SignInB2BCollaboration,
	}
	raw, err := json.Marshal(signInOut(guest))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal(raw, &got)
	want := map[string]any{
		"id": "sid", "createdDateTime": "2030-01-02T03:04:05Z", "userId": "uid", "userType": "guest",
		"userPrincipalName": "teri_gmail.example#EXT#@f.local", "appId": "app", "appDisplayName": "Wiki",
		"resourceDisplayName": "Wiki", "resourceTenantId": "tid", "homeTenantId": nil, "ipAddress": "192.0.2.7",
		"clientAppUsed": "Browser", "correlationId": "corr", "crossTenantAccessType": "b2bCollaboration",
		"tokenIssuerName": "mail", "isInteractive": true, "conditionalAccessStatus": "notApplied",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	st := got["status"].(map[string]any)
	if st["errorCode"] != 0.0 || st["failureReason"] != "Other." || st["additionalDetails"] != nil {
		t.Errorf("status = %v", st)
	}
	if m := got["authenticationMethodsUsed"].([]any); len(m) != 1 || m[0] != "Email OTP" {
		t.Errorf("authenticationMethodsUsed = %v", m)
	}
}

func TestSignInSkipToken(t *testing.T) {
	s := audit.SignIn{ID: "0b8f5e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b", CreatedAt: time.Date(2030, 1, 2, 3, 4, 5, 123000, time.UTC)}
	c, err := parseSignInToken(signInToken(s))
	if err != nil || c.ID != s.ID || !c.CreatedAt.Equal(s.CreatedAt) {
		t.Fatalf("round trip = %+v, %v", c, err)
	}
	for _, bad := range []string{"", "!!", "MTIz", "eC55"} {
		if _, err := parseSignInToken(bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}
