package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
)

// TestLoginFormsCheckCSRF (security round 2, tests a mutation showed
// missing): each sign-in form refuses a post without this browser's CSRF
// token in its body (none, a wrong one, or the right one in the query
// string) with the 403 expired-form page, before it reads the address; the
// right token in the body gets past the check (to the address, which is
// invalid here: 400).
func TestLoginFormsCheckCSRF(t *testing.T) {
	key := []byte("web-csrf-test-key-0123456789abcdef-0123")
	h, err := New(Config{PublicURL: "https://id.guestgate.example", SecureCookies: true, CSRFKey: key},
		Deps{Clock: clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	pages := h.Tenant()
	tn := directory.Tenant{ID: "6f9619ff-8b86-4d01-b42d-00cf4fc964ff", DisplayName: "Fabrikam"}
	cookie := strings.Repeat("c", 43)
	good := signWith(key, cookie)
	const (
		csrfPage    = "This form expired or came from another site."
		addressPage = "Enter a valid email address."
	)
	cases := []struct {
		name        string
		body, query url.Values
		status      int
		page        string
	}{
		{"no_token", url.Values{}, nil, http.StatusForbidden, csrfPage},
		{"wrong_token", url.Values{"csrf": {signWith([]byte("another-key-0123456789abcdef-0123456789"), cookie)}}, nil, http.StatusForbidden, csrfPage},
		{"token_in_query_only", url.Values{}, url.Values{"csrf": {good}}, http.StatusForbidden, csrfPage},
		{"token_in_body", url.Values{"csrf": {good}}, nil, http.StatusBadRequest, addressPage},
	}
	for _, form := range []string{"next", "send", "verify", "password"} {
		for _, c := range cases {
			t.Run(form+"_"+c.name, func(t *testing.T) {
				body := url.Values{"email": {"not an address"}, "authRequestID": {"ar-1"}, "code": {"12345678"}, "password": {"x"}}
				for k, v := range c.body {
					body[k] = v
				}
				target := "/login/" + form
				if c.query != nil {
					target += "?" + c.query.Encode()
				}
				r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.AddCookie(&http.Cookie{Name: "__Host-" + csrfCookie, Value: cookie})
				r = r.WithContext(WithTenant(r.Context(), tn))
				w := httptest.NewRecorder()
				pages.ServeHTTP(w, r)
				if w.Code != c.status || !strings.Contains(w.Body.String(), c.page) {
					t.Fatalf("POST /login/%s: %d, want %d with %q\n%s", form, w.Code, c.status, c.page, w.Body.String())
				}
			})
		}
	}
}
