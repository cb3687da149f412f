package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
)

var _ audit.SignInCounter = (*DB)(nil)

// microsPerDay is a day in the unit of the stored times (toDB).
const microsPerDay = int64(24 * time.Hour / time.Microsecond)

// CountSignInsByDay counts the tenant's sign-ins since a UTC midnight by
// day and error code: one grouped read of the sign_ins_newest index range.
func (db *DB) CountSignInsByDay(ctx context.Context, tenantID string, since time.Time) ([]audit.DayCount, error) {
	from := toDB(since)
	rows, err := db.query(ctx, `SELECT (created_at - $2) / $3 AS d, error_code, COUNT(*) FROM sign_ins
		WHERE tenant_id = $1 AND created_at >= $2 GROUP BY d, error_code ORDER BY d, error_code`, tenantID, from, microsPerDay)
	if err != nil {
		return nil, fmt.Errorf("count sign-ins by day: %w", err)
	}
	defer rows.Close()
	var out []audit.DayCount
	for rows.Next() {
		var (
			d int64
			c audit.DayCount
		)
		if err := rows.Scan(&d, &c.ErrorCode, &c.Count); err != nil {
			return nil, fmt.Errorf("count sign-ins by day: %w", err)
		}
		c.Day = since.UTC().AddDate(0, 0, int(d))
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count sign-ins by day: %w", err)
	}
	return out, nil
}
