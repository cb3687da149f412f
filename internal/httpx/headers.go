package httpx

import "net/http"

// SecurityHeaders sets the headers every response carries: nosniff (a
// browser never guesses a content type, so an uploaded or echoed body
// cannot turn into script), and on an https deployment HSTS (a year, so
// a browser never again tries plain http to it).
func SecurityHeaders(https bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if https {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
