package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/guestgate/guestgate/internal/httpx"
)

// TestWithBrowser: every page request carries its browser's id, the same
// for one browser and different for two (issue 20, finding 5: a passcode
// is bound to the browser that asked for it); the id is not the cookie.
func TestWithBrowser(t *testing.T) {
	h := &Handler{csrf: newCSRF(Config{CSRFKey: make([]byte, 32)})}
	var got []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login/send", func(_ http.ResponseWriter, r *http.Request) {
		got = append(got, httpx.ClientOf(r.Context()).Browser)
	})
	pages := h.withBrowser(mux)
	a, b := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	for _, cookie := range []string{a, a, b, ""} {
		r := httptest.NewRequest(http.MethodPost, "/login/send", nil)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: httpx.CookieName(false, csrfCookie), Value: cookie})
		}
		pages.ServeHTTP(httptest.NewRecorder(), r)
		if r.Pattern != "POST /login/send" {
			t.Fatalf("the caller sees pattern %q, want the mux's (metrics name routes by it)", r.Pattern)
		}
	}
	if got[0] == "" || got[0] != got[1] || got[0] == got[2] || got[3] != "" {
		t.Fatalf("browser ids %q: want one id per browser and none without a cookie", got)
	}
	if got[0] == a {
		t.Fatal("the browser id is the CSRF cookie itself")
	}
}
