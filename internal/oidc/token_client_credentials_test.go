package oidc_test

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/testenv"
)

const graphScope = "https://graph.microsoft.com/.default"

func (e *env) ccConfig(t directory.Tenant, appID, secret, scope string, style oauth2.AuthStyle) *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     appID,
		ClientSecret: secret,
		TokenURL:     e.publicURL + "/" + t.ID + "/oauth2/v2.0/token",
		Scopes:       []string{scope},
		AuthStyle:    style,
	}
}

// oauthErrorCode returns the OAuth error code of a failed token request.
func oauthErrorCode(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want an OAuth error response, got %v", err)
	}
	return re.ErrorCode
}

func TestClientCredentials(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, secret := e.createApp(e.a, false, "User.Invite.All", "User.ReadWrite.All")

		for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
			tok, err := e.ccConfig(e.a, app.AppID, secret, graphScope, style).Token(e.ctx)
			if err != nil {
				t.Fatalf("client credentials (auth style %d): %v", style, err)
			}
			c := jwtClaims(t, tok.AccessToken)
			if h := jwtHeader(t, tok.AccessToken); h["alg"] != "RS256" || h["kid"] == "" {
				t.Errorf("JWT header %v, want RS256 with a kid", h)
			}
			if aud := audience(c["aud"]); len(aud) != 1 || aud[0] != "https://graph.microsoft.com" {
				t.Errorf("aud = %v, want https://graph.microsoft.com", c["aud"])
			}
			want := map[string]any{
				"iss": e.issuer(e.a), "sub": app.AppID, "tid": e.a.ID, "appid": app.AppID, "idtyp": "app",
			}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("claim %s = %v, want %v", k, c[k], v)
				}
			}
			if roles, _ := c["roles"].([]any); len(roles) != 2 || roles[0] != "User.Invite.All" || roles[1] != "User.ReadWrite.All" {
				t.Errorf("roles = %v", c["roles"])
			}
			if tok.RefreshToken != "" {
				t.Error("client credentials returned a refresh token")
			}
			got, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, tok.AccessToken)
			if err != nil {
				t.Fatalf("VerifyAccessToken: %v", err)
			}
			if got.AppID != app.AppID || got.TenantID != e.a.ID || !slices.Equal(got.Roles, app.Permissions) ||
				got.Audience != "https://graph.microsoft.com" {
				t.Errorf("VerifyAccessToken = %+v", got)
			}
		}

		t.Run("public URL resource", func(t *testing.T) {
			tok, err := e.ccConfig(e.a, app.AppID, secret, e.publicURL+"/.default", oauth2.AuthStyleInHeader).Token(e.ctx)
			if err != nil {
				t.Fatalf("client credentials: %v", err)
			}
			if aud := audience(jwtClaims(t, tok.AccessToken)["aud"]); len(aud) != 1 || aud[0] != e.publicURL {
				t.Errorf("aud = %v, want %s", aud, e.publicURL)
			}
			if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, tok.AccessToken); err != nil {
				t.Errorf("VerifyAccessToken: %v", err)
			}
		})

		tok, err := e.ccConfig(e.a, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
		if err != nil {
			t.Fatalf("client credentials: %v", err)
		}

		t.Run("another tenant rejects the token", func(t *testing.T) {
			if _, err := e.p.VerifyAccessToken(e.ctx, e.b.ID, tok.AccessToken); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("VerifyAccessToken at tenant B = %v, want ErrInvalidToken", err)
			}
		})

		t.Run("tampered token", func(t *testing.T) {
			parts := strings.Split(tok.AccessToken, ".")
			// Another tenant's claims with the original signature.
			claims := strings.Replace(string(mustDecode(t, parts[1])), e.a.ID, e.b.ID, -1)
			forged := parts[0] + "." + encode(claims) + "." + parts[2]
			if _, err := e.p.VerifyAccessToken(e.ctx, e.b.ID, forged); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("forged claims: %v, want ErrInvalidToken", err)
			}
			sig := []byte(parts[2])
			sig[10] ^= 1
			if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, parts[0]+"."+parts[1]+"."+string(sig)); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("flipped signature: %v, want ErrInvalidToken", err)
			}
			if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, "not-a-jwt"); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("garbage: %v, want ErrInvalidToken", err)
			}
		})

		t.Run("expired token", func(t *testing.T) {
			e.clock.Advance(2 * time.Hour)
			defer e.clock.Advance(-2 * time.Hour)
			if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, tok.AccessToken); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("two hours later: %v, want ErrInvalidToken", err)
			}
		})

		t.Run("wrong secret", func(t *testing.T) {
			_, err := e.ccConfig(e.a, app.AppID, secret+"x", graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
			if code := oauthErrorCode(t, err); code != "invalid_client" {
				t.Fatalf("error %q, want invalid_client", code)
			}
		})

		t.Run("app unknown at another tenant", func(t *testing.T) {
			_, err := e.ccConfig(e.b, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
			if code := oauthErrorCode(t, err); code != "invalid_client" {
				t.Fatalf("error %q, want invalid_client", code)
			}
		})

		t.Run("unknown resource", func(t *testing.T) {
			_, err := e.ccConfig(e.a, app.AppID, secret, "https://vault.example/.default", oauth2.AuthStyleInHeader).Token(e.ctx)
			if code := oauthErrorCode(t, err); code != "invalid_scope" {
				t.Fatalf("error %q, want invalid_scope", code)
			}
		})

		t.Run("public client may not", func(t *testing.T) {
			pub, _ := e.createApp(e.a, true)
			_, err := e.ccConfig(e.a, pub.AppID, "", graphScope, oauth2.AuthStyleInParams).Token(e.ctx)
			if code := oauthErrorCode(t, err); code != "invalid_client" && code != "unauthorized_client" {
				t.Fatalf("error %q, want invalid_client", code)
			}
		})

		t.Run("user token is not an admin API token", func(t *testing.T) {
			pub, _ := e.createApp(e.a, true)
			res := e.signIn(t, flow{tenant: e.a, app: pub, user: e.guestA})
			if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, res.token.AccessToken); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("user access token accepted by VerifyAccessToken: %v", err)
			}
		})
	})
}

func TestCreateAppRefusesUnsafeRedirects(t *testing.T) {
	e := newEnv(t, testenv.SQLiteDSN(t))
	for _, uri := range []string{"app.example/cb", "https://app.example/cb#frag", "myapp://cb"} {
		if _, _, err := e.p.CreateApp(e.ctx, e.a.ID, "x", nil, []string{uri}, nil, false); !errors.Is(err, oidc.ErrInvalidApp) {
			t.Errorf("confidential app with redirect %q: %v, want ErrInvalidApp", uri, err)
		}
	}
	if _, _, err := e.p.CreateApp(e.ctx, e.a.ID, " ", nil, nil, nil, true); !errors.Is(err, oidc.ErrInvalidApp) {
		t.Errorf("empty name: %v, want ErrInvalidApp", err)
	}
	a, _, err := e.p.CreateApp(e.ctx, e.a.ID, "native", nil, []string{"myapp://cb"}, nil, true)
	if err != nil || !a.Public() {
		t.Errorf("public app with custom scheme: %+v, %v", a, err)
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// audience reads an aud claim, a string or an array of strings (RFC 7519).
func audience(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			s, _ := x.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}
