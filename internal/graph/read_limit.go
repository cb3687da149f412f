package graph

import (
	"errors"
	"net/http"

	"github.com/guestgate/guestgate/internal/ratelimit"
)

// Reads (GET) are bounded twice, before the handler runs:
//
//   - per caller: an app, or the member a delegated token acts for, in a
//     tenant may read ReadLimit.Limit times per ReadLimit.Window; past it
//     the answer is 429 TooManyRequests with Retry-After until the window
//     ends. It is counted in this process's memory (ratelimit.Local), so a
//     read costs no commit; n processes behind a balancer allow up to n
//     times the limit.
//   - per tenant: at most ReadGate's places of a tenant's reads run at
//     once (and a share of the database pool in all); more wait a moment,
//     then answer 429 with Retry-After, so one tenant's heavy queries
//     cannot take every pooled connection from sign-ins and tokens.

// readKey is the caller a read is counted against.
func readKey(c Caller) string {
	key := c.TenantID + "/" + c.AppID
	if c.Delegated() {
		key += "/" + c.User.ID
	}
	return key
}

// limitReads runs h under the read limit and the tenant's read places.
func (a *API) limitReads(w http.ResponseWriter, r *http.Request, c Caller, h handlerFunc) error {
	var le *ratelimit.LimitedError
	if a.deps.ReadLimiter != nil {
		if err := a.deps.ReadLimiter.Take(readKey(c), a.deps.ReadLimit); errors.As(err, &le) {
			return &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: le.RetryAfter(a.clock.Now()),
				Message: "Too many requests. This caller made too many read requests to this tenant; retry after the interval in the Retry-After header."}
		}
	}
	if a.deps.ReadGate != nil {
		release, err := a.deps.ReadGate.Enter(r.Context(), c.TenantID)
		switch {
		case errors.As(err, &le):
			return &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: le.RetryAfter(a.clock.Now()),
				Message: "Too many requests. This tenant has too many read requests running at once; retry after the interval in the Retry-After header."}
		case err != nil:
			return err
		}
		defer release()
	}
	return h(w, r, c)
}
