package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Write completes r with what every record carries (an id, a correlation
// id, the result, the time) and appends it in ctx's transaction.
func Write(ctx context.Context, s Store, r Record, at time.Time) error {
	if r.ID == "" {
		r.ID = "Directory_" + uuid.NewString()
	}
	if r.CorrelationID == "" {
		r.CorrelationID = uuid.NewString()
	}
	if r.Result == "" {
		r.Result = ResultSuccess
	}
	r.ActivityAt = at
	if _, err := s.AppendAudit(ctx, r); err != nil {
		return fmt.Errorf("audit %q: %w", r.Activity, err)
	}
	return nil
}
