package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
)

// FuzzSignInForm: any posted sign-in form is parsed without a panic; an
// address it accepts is printable (no NUL or other control character to
// reach the store), at most 254 bytes, and normalizes to itself.
func FuzzSignInForm(f *testing.F) {
	for _, s := range []string{
		"email=kim%40partner.example&authRequestID=abc&csrf=x",
		"email=KIM%40Partner.Example", "email=%00%40x.example", "email=kim%40x.example%00",
		"email=%20kim%40x.example%20", "email=a%40b%40c", "email=%E2%80%AE%40x.example", "email=", "%zz", ";;;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/login/next", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		addr, err := formAddress(r)
		if err != nil {
			return
		}
		if !httpx.Printable(addr) || len(addr) > 254 || strings.Count(addr, "@") < 1 {
			t.Fatalf("form %q: accepted address %q", body, addr)
		}
		if again, err := directory.NormalizeAddress(addr); err != nil || again != addr {
			t.Fatalf("form %q: %q normalizes to %q, %v", body, addr, again, err)
		}
	})
}
