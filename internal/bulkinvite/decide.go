package bulkinvite

import (
	"errors"
	"fmt"
)

// DefaultMaxQueued is how many unfinished bulk invitations (waiting or in
// progress) a tenant may have at once unless the deployment says
// otherwise.
const DefaultMaxQueued = 5

// QueueFullError: an upload refused because the tenant already has Max
// unfinished bulk invitations.
type QueueFullError struct{ Max int }

func (e *QueueFullError) Error() string {
	return fmt.Sprintf("the tenant already has %d bulk invitations waiting or in progress, the most allowed", e.Max)
}

// ErrInviterRefused: the member who uploaded a job may no longer invite
// (the tenant's allowInvitesFrom or their roles changed, their account
// was disabled or deleted). The job's remaining rows fail with it.
var ErrInviterRefused = errors.New("the member who uploaded the file may no longer invite guests")

// checkQueue is the queue's rule (security round 2, finding 6): a tenant
// that has max unfinished jobs or more is refused another; max 0 is no
// cap.
func checkQueue(queued, max int) error {
	if max > 0 && queued >= max {
		return &QueueFullError{Max: max}
	}
	return nil
}
