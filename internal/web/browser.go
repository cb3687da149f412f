package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/guestgate/guestgate/internal/httpx"
)

// withBrowser gives every page request its browser's id
// (httpx.Client.Browser): a hash of the browser's CSRF cookie, the value
// only that browser holds. A passcode is bound to the browser that asked
// for it, so nobody else's wrong entries or new codes void it (issue 20,
// finding 5). Every form that sends or takes a code passes the CSRF check,
// so it carries the cookie.
func (h *Handler) withBrowser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := h.csrf.Browser(r)
		if v == "" {
			next.ServeHTTP(w, r)
			return
		}
		c := httpx.ClientOf(r.Context())
		c.Browser = browserID(v)
		r2 := r.WithContext(httpx.WithClient(r.Context(), c))
		next.ServeHTTP(w, r2)
		// The caller reads the pattern the mux matched (metrics' route).
		r.Pattern = r2.Pattern
	})
}

// browserID is the stored id of a browser whose CSRF cookie is v: a hash,
// so the database never holds the cookie itself.
func browserID(v string) string {
	sum := sha256.Sum256([]byte("guestgate browser\x00" + v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
