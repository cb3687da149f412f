package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestRequestIDs(t *testing.T) {
	cases := []struct {
		name       string
		client     string
		wantEchoed bool
	}{
		{"client_guid_is_echoed", "5c3c8fbe-1a2b-4c5d-9e8f-0a1b2c3d4e5f", true},
		{"any_short_token_is_echoed", "my-script-42", true},
		{"none_sent_gets_the_request_id", "", false},
		{"too_long_gets_the_request_id", strings.Repeat("x", 65), false},
		{"control_characters_get_the_request_id", "a\tb", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ctxID, ctxClient string
			var client Client
			h := WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctxID, ctxClient, client = RequestID(r.Context()), ClientRequestID(r.Context()), ClientOf(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/v1.0/users", nil)
			req.RemoteAddr = "192.0.2.7:5555"
			req.Header.Set("User-Agent", "test-agent")
			if c.client != "" {
				req.Header.Set("client-request-id", c.client)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			id := rec.Header().Get("request-id")
			if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
				t.Fatalf("request-id %q is not a GUID", id)
			}
			if id == c.client {
				t.Fatalf("request-id must be the server's own, not the client's")
			}
			want := id
			if c.wantEchoed {
				want = c.client
			}
			if got := rec.Header().Get("client-request-id"); got != want {
				t.Fatalf("client-request-id = %q, want %q", got, want)
			}
			if ctxID != id || ctxClient != want {
				t.Fatalf("context ids = %q, %q; want %q, %q", ctxID, ctxClient, id, want)
			}
			if client != (Client{Addr: "192.0.2.7", UserAgent: "test-agent"}) {
				t.Fatalf("client = %+v", client)
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"", true}, {"fabrikam.example", true}, {"9a1d6c1e-0000-4000-8000-000000000000", true}, {"ファブリカム", true},
		{"a\x00b", false}, {"\x00", false}, {"tab\there", false}, {"new\nline", false}, {"del\x7f", false},
		{"c1\u0085", false}, {"bad\xffutf8", false},
	} {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
