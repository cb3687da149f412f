package metrics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/guestgate/guestgate/internal/httpx"
)

type routeKey struct{}

// route is where the handlers name the route a request took.
type route struct {
	mu   sync.Mutex
	name string
}

// SetRoute names the route of the request whose context is ctx, replacing
// the mux pattern Route would record (for handlers that dispatch further,
// such as the per-tenant pages). It does nothing outside Middleware.
func SetRoute(ctx context.Context, name string) {
	if r, ok := ctx.Value(routeKey{}).(*route); ok {
		r.mu.Lock()
		r.name = name
		r.mu.Unlock()
	}
}

// Route records the pattern next (a ServeMux) matched, unless a handler
// set the route itself. Put it directly around the mux, inside Middleware.
func Route(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if rt, ok := r.Context().Value(routeKey{}).(*route); ok {
			rt.mu.Lock()
			if rt.name == "" {
				rt.name = stripMethod(r.Pattern)
			}
			rt.mu.Unlock()
		}
	})
}

// Middleware counts each request by route, method and status code.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := &route{}
		sw := httpx.NewStatusWriter(w)
		defer func() {
			rt.mu.Lock()
			name := rt.name
			rt.mu.Unlock()
			if name == "" {
				name = "unmatched"
			}
			code := sw.Status()
			if code == 0 {
				code = http.StatusOK
			}
			m.httpRequests.WithLabelValues(name, method(r.Method), strconv.Itoa(code)).Inc()
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
	})
}

// stripMethod turns "GET /healthz" into "/healthz".
func stripMethod(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return pattern[i+1:]
	}
	return pattern
}

// method keeps the label to the methods HTTP defines.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
