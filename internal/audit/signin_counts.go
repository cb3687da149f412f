package audit

import (
	"context"
	"time"
)

// DayCount is how many sign-ins of one UTC day ended with one error code
// (0: a success).
type DayCount struct {
	// Day is the day's midnight, UTC.
	Day       time.Time
	ErrorCode int
	Count     int
}

// SignInCounter counts a tenant's sign-ins by day and error code (the
// console's Overview chart), in one grouped read of the time range.
type SignInCounter interface {
	// CountSignInsByDay counts the sign-ins at or after since (a UTC
	// midnight), grouped by UTC day and error code; days without
	// sign-ins are absent.
	CountSignInsByDay(ctx context.Context, tenantID string, since time.Time) ([]DayCount, error)
}
