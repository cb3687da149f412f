package console

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/csrf"
)

// TestCSRFAfterRotation (issue 21, one CSRF implementation): after
// GUESTGATE_SECRET rotates, a console form served under the previous
// secret still posts (its token is signed with the previous key), for a
// change and for the sign-in form; a token under a key the console does
// not hold is still the 403 expired-form page.
func TestCSRFAfterRotation(t *testing.T) {
	current := []byte("console-test-key-0123456789abcdef-0123")
	previous := []byte("console-previous-key-0123456789abcdef")
	unknown := []byte("console-unknown-key-0123456789abcdef-0")
	s := newStandIn(t)
	h, err := newHandler(Config{PublicURL: "https://id.guestgate.example", CSRFKey: current, OldCSRFKeys: [][]byte{previous}},
		Deps{Collab: collab.NewService(collab.Deps{Store: s.policy}), Clock: clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.whoIs = func(*http.Request) (admin, error) { return *s.as, nil }
	s.h = h
	post := func(pattern string, key []byte) answer {
		f := url.Values{"email": {"kim@fabrikam.example"}, "password": {"x"}, "csrf": {csrf.Sign(key, "console-csrf", s.cookie)}}
		return s.post(pattern, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), nil)
	}
	for _, key := range [][]byte{current, previous} {
		if a := post("POST /admin/signout", key); a.panicked != nil || a.code != http.StatusSeeOther {
			t.Errorf("sign-out with a token under key %q: %d (panic %v), want 303\n%s", key, a.code, a.panicked, a.body)
		}
		// Past the CSRF check, the sign-in form reaches the sign-in
		// service, which this stand-in lacks.
		if a := post("POST /admin/signin", key); a.panicked == nil {
			t.Errorf("sign-in with a token under key %q: %d, want its handler run\n%s", key, a.code, a.body)
		}
	}
	for _, pattern := range []string{"POST /admin/signout", "POST /admin/signin"} {
		if a := post(pattern, unknown); a.panicked != nil || a.code != http.StatusForbidden || !strings.Contains(a.body, csrfHeading) {
			t.Errorf("%s with a token under an unknown key: %d (panic %v), want the 403 expired-form page", pattern, a.code, a.panicked)
		}
	}
}
