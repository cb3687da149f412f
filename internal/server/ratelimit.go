package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/store"
)

// tokenPath is a tenant's token endpoint, below /{tenant}.
const tokenPath = "/oauth2/v2.0/token"

// limitTokens serves a tenant's token endpoint under the token limits:
// failed requests (400 and 401: a wrong client secret, code or grant)
// count per client address and per tenant; past a limit the endpoint
// answers 429 with Retry-After and an OAuth error body until the window
// ends. Successful requests only read the counters.
func (s *Server) limitTokens(w http.ResponseWriter, r *http.Request, t directory.Tenant, next http.Handler) {
	sc := s.cfg.Abuse.Token
	subj := ratelimit.Subject{Client: httpx.ClientOf(r.Context()).Addr, Tenant: t.ID}
	var le *ratelimit.LimitedError
	switch err := s.limiter.Check(r.Context(), sc, subj); {
	case errors.As(err, &le):
		wait := le.RetryAfter(s.clock.Now())
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
		s.oidcError(w, r, http.StatusTooManyRequests, "temporarily_unavailable",
			"too many failed token requests from this client address or to this tenant; retry after "+strconv.Itoa(int(wait/time.Second))+" seconds")
		return
	case errors.Is(err, store.ErrUnavailable):
		w.Header().Set("Retry-After", "5")
		s.oidcError(w, r, http.StatusServiceUnavailable, "temporarily_unavailable", "the service is unavailable; retry shortly")
		return
	case err != nil:
		// The limit is a guard, not the service: a failed read is logged
		// and the request served.
		s.log.ErrorContext(r.Context(), "token limit: read counters", "err", err, "request_id", httpx.RequestID(r.Context()))
	}
	sw := httpx.NewStatusWriter(w)
	next.ServeHTTP(sw, r)
	if st := sw.Status(); st == http.StatusBadRequest || st == http.StatusUnauthorized {
		if err := s.limiter.Count(r.Context(), sc, subj); err != nil {
			s.log.ErrorContext(r.Context(), "token limit: count a failed request", "err", err, "request_id", httpx.RequestID(r.Context()))
		}
	}
}
