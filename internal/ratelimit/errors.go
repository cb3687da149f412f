package ratelimit

import (
	"fmt"
	"time"
)

// LimitedError: an attempt was refused by a limit; the caller may try
// again at RetryAt (the API and token endpoint answer 429 with
// Retry-After, pages say when).
type LimitedError struct {
	RetryAt time.Time
	// Tenant is true when the tenant's (or app's) limit, not the client
	// address's own, refused it.
	Tenant bool
}

func (e *LimitedError) Error() string {
	return fmt.Sprintf("too many requests; try again at %s", e.RetryAt.UTC().Format(time.RFC3339))
}

// RetryAfter is the wait from now, rounded up to whole seconds, at least 1s.
func (e *LimitedError) RetryAfter(now time.Time) time.Duration {
	d := e.RetryAt.Sub(now)
	if d < time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
