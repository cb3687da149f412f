package storetest

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
)

// testSignInCounts: the Overview's chart counts a tenant's sign-ins by
// UTC day and error code from a midnight on, not before it, not another
// tenant's.
func testSignInCounts(t *testing.T, open Open) {
	s := open(t)
	tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
	since := at(0).UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	add := func(tenantID string, when time.Time, code int) {
		r := sampleSignIn(tenantID, 0)
		r.CreatedAt = when
		if code != 0 {
			r.ErrorCode, r.FailureReason = code, "reason"
		}
		must(t, "append", s.AppendSignIn(t.Context(), r))
	}
	add(tn.ID, since.Add(-time.Second), 0) // the day before: not counted
	add(tn.ID, since, 0)
	add(tn.ID, since.Add(23*time.Hour), 0)
	add(tn.ID, since.Add(23*time.Hour), 50126)
	add(tn.ID, since.Add(49*time.Hour), 50126)
	add(tn.ID, since.Add(49*time.Hour), 50126)
	add(other.ID, since.Add(time.Hour), 0)
	got, err := s.CountSignInsByDay(t.Context(), tn.ID, since)
	must(t, "count", err)
	wantEqual(t, "counts", got, []audit.DayCount{
		{Day: since, ErrorCode: 0, Count: 2},
		{Day: since, ErrorCode: 50126, Count: 1},
		{Day: since.AddDate(0, 0, 2), ErrorCode: 50126, Count: 2},
	})
}
