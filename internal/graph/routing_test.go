package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/httpx"
)

// noTokens refuses every token: routing is decided before authentication.
type noTokens struct{}

func (noTokens) VerifyAccessToken(context.Context, string) (Caller, error) {
	return Caller{}, errors.New("no token is valid here")
}

func TestRequestShapeRouting(t *testing.T) {
	a := New(Deps{Tokens: noTokens{}, Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	h := httpx.WithRequestID(a)
	cases := []struct {
		name, method, path string
		status             int
		code, allow        string
	}{
		{"known_route_reaches_authentication", "GET", "/v1.0/users", 401, "InvalidAuthenticationToken", ""},
		{"segments_ignore_case", "GET", "/v1.0/Users", 401, "InvalidAuthenticationToken", ""},
		{"configuration_id_ignores_case", "GET", "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Email", 401, "InvalidAuthenticationToken", ""},
		{"whole_path_ignores_case", "GET", "/V1.0/POLICIES/AUTHENTICATIONMETHODSPOLICY", 401, "InvalidAuthenticationToken", ""},
		{"wrong_method_is_405", "PUT", "/v1.0/invitations", 405, "Request_BadRequest", "POST"},
		{"wrong_method_on_config_is_405", "POST", "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", 405, "Request_BadRequest", "DELETE, GET, HEAD, PATCH"},
		{"unknown_segment_is_400", "GET", "/v1.0/nosuchthing", 400, "BadRequest", ""},
		{"beta_is_an_invalid_version", "GET", "/beta/users", 400, "BadRequest", ""},
		{"beta_any_method", "PATCH", "/beta/policies/authenticationMethodsPolicy", 400, "BadRequest", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(c.method, c.path, nil)
			r.Header.Set("client-request-id", "my-call-1")
			h.ServeHTTP(w, r)
			var env errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
				t.Fatalf("%d %q is not Graph's envelope: %v", w.Code, w.Body.String(), err)
			}
			if w.Code != c.status || env.Error.Code != c.code {
				t.Fatalf("%d %+v, want %d %s", w.Code, env.Error, c.status, c.code)
			}
			if got := w.Header().Get("Allow"); got != c.allow {
				t.Fatalf("Allow = %q, want %q", got, c.allow)
			}
			in := env.Error.InnerError
			if in.RequestID == "" || in.RequestID != w.Header().Get("request-id") || in.ClientRequestID != "my-call-1" || in.Date != "2030-01-02T03:04:05" {
				t.Fatalf("innerError = %+v (request-id header %q)", in, w.Header().Get("request-id"))
			}
		})
	}
}
