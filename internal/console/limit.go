package console

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/ratelimit"
)

// The member's invitations (single, resend, reset and the rows of a bulk
// invitation) count against Graph's write limit, per member as Graph
// counts per app (security round 2, finding 6): checked before, counted
// after, whatever the result, as the admin API counts its writes. Past the
// limit a form answers 429 with Retry-After and says when to try again; a
// bulk invitation waits (internal/bulkinvite).

// writer is the member's subject of the write limit.
func writer(a admin) ratelimit.Subject { return ratelimit.MemberWrites(a.Tenant.ID, a.User.ID) }

// checkWrites returns a *ratelimit.LimitedError when the member may not
// write now. Otherwise it counts the write, before it is done (every write counts,
// whatever its outcome): a count that cannot be stored (the database down
// or failing over) is returned, and the write is not done, so none is
// ever done uncounted.
func (h *Handler) checkWrites(r *http.Request, a admin) error {
	if h.d.Limiter == nil {
		return nil
	}
	if err := h.d.Limiter.Check(r.Context(), h.d.WriteLimit, writer(a)); err != nil {
		return err
	}
	return h.d.Limiter.Count(r.Context(), h.d.WriteLimit, writer(a))
}

// tooManyWrites is the text of a refusal by the write limit, with the
// Retry-After header set; ok is false for other errors.
func (h *Handler) tooManyWrites(w http.ResponseWriter, r *http.Request, err error) (msg string, ok bool) {
	var le *ratelimit.LimitedError
	if !errors.As(err, &le) {
		return "", false
	}
	now := h.now()
	w.Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter(now)/time.Second)))
	return i18n.T(lang(r), "console.limit.explain", waitText(lang(r), le.RetryAt.Sub(now))), true
}

// limitedPage answers a change refused by the write limit (429), or fails
// on another error of the check.
func (h *Handler) limitedPage(w http.ResponseWriter, r *http.Request, a admin, err error) {
	msg, ok := h.tooManyWrites(w, r, err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	h.messagePage(w, r, a, http.StatusTooManyRequests, "console.limit.title", msg)
}

// waitText says when d from now is, in whole seconds or minutes rounded
// up ("in 3 minutes").
func waitText(l string, d time.Duration) string {
	if s := int((d + time.Second - 1) / time.Second); s < 60 {
		if s <= 1 {
			return i18n.T(l, "time.in_one_second")
		}
		return i18n.T(l, "time.in_seconds", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return i18n.T(l, "time.in_one_minute")
	}
	return i18n.T(l, "time.in_minutes", m)
}
