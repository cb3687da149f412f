package bulkinvite

import (
	"errors"
	"testing"
)

// TestCheckQueue: the cap on a tenant's unfinished bulk invitations
// (security round 2, finding 6).
func TestCheckQueue(t *testing.T) {
	cases := []struct {
		rule        string
		queued, max int
		refused     bool
	}{
		{rule: "finding6_below_the_cap_allowed", queued: 4, max: 5},
		{rule: "finding6_at_the_cap_refused", queued: 5, max: 5, refused: true},
		{rule: "finding6_over_the_cap_refused", queued: 7, max: 5, refused: true},
		{rule: "finding6_first_job_allowed", queued: 0, max: 1},
		{rule: "finding6_cap_of_one_refuses_a_second", queued: 1, max: 1, refused: true},
		{rule: "finding6_zero_is_no_cap", queued: 1000, max: 0},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			err := checkQueue(c.queued, c.max)
			var qe *QueueFullError
			if c.refused != errors.As(err, &qe) || (c.refused && qe.Max != c.max) {
				t.Fatalf("checkQueue(%d, %d) = %v, refused want %v", c.queued, c.max, err, c.refused)
			}
		})
	}
}
