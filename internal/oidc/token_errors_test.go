package oidc

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTokenErrorCode (issue 22, item 12): each OAuth error of the token
// endpoint gets the AADSTS code of Microsoft's published list, and a code
// set where the cause is known is kept.
func TestTokenErrorCode(t *testing.T) {
	for _, c := range []struct {
		errType, desc string
		code          int
		text          string
	}{
		{"invalid_grant", "AADSTS50057: The user's account is disabled.", 50057, "The user's account is disabled."},
		{"invalid_grant", "invalid code_verifier", 501481, "invalid code_verifier"},
		{"invalid_grant", "The code was already redeemed or has expired.", 54005, ""},
		{"invalid_grant", "The refresh token was already used or has expired.", 70008, ""},
		{"invalid_grant", "The refresh token was already used; every token of this sign-in is revoked. Sign in again.", 50173, ""},
		{"invalid_grant", "redirect_uri does not correspond", 50011, ""},
		{"invalid_grant", "The code was issued to another client.", 70000, ""},
		{"invalid_request", "code_verifier required", 900144, ""},
		{"invalid_request", "The request is too large: shorten state, nonce or login_hint.", 9002313, ""},
		{"invalid_client", "client secret invalid", 7000215, ""},
		{"invalid_client", "client not found", 700016, ""},
		{"invalid_scope", "", 70011, ""},
		{"unsupported_grant_type", "", 70003, ""},
		{"unauthorized_client", "", 70001, ""},
		{"server_error", "", 50000, ""},
	} {
		code, text := tokenErrorCode(c.errType, c.desc)
		if code != c.code || (c.text != "" && text != c.text) {
			t.Errorf("%s %q = %d %q, want %d", c.errType, c.desc, code, text, c.code)
		}
	}
}

func TestEntraErrorShape(t *testing.T) {
	r := httptest.NewRequest("POST", "/oauth2/v2.0/token", nil)
	e := entraError(r, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), "invalid_grant", "invalid code_verifier")
	if e.Error != "invalid_grant" || len(e.ErrorCodes) != 1 || e.ErrorCodes[0] != 501481 || e.Timestamp != "2030-01-02 03:04:05Z" ||
		!strings.HasPrefix(e.ErrorDescription, "AADSTS501481: invalid code_verifier\r\nTrace ID: "+e.TraceID+"\r\nCorrelation ID: "+e.CorrelationID) ||
		e.TraceID == "" || e.CorrelationID == "" {
		t.Fatalf("entra error = %+v", e)
	}
}
