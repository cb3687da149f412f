package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/ratelimit"
)

var _ ratelimit.Store = (*DB)(nil)

// GetRateCounters returns the counters of keys that have one, in one read.
func (db *DB) GetRateCounters(ctx context.Context, keys []string) (map[string]ratelimit.Counter, error) {
	out := make(map[string]ratelimit.Counter, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, len(keys))
	marks := make([]string, len(keys))
	for i, k := range keys {
		args[i] = k
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := db.query(ctx, `SELECT key, window_start, count FROM rate_limits
		WHERE key IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("get rate counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			key   string
			start int64
			c     ratelimit.Counter
		)
		if err := rows.Scan(&key, &start, &c.Count); err != nil {
			return nil, fmt.Errorf("get rate counters: %w", err)
		}
		c.WindowStart = fromDB(start)
		out[key] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get rate counters: %w", err)
	}
	return out, nil
}

// AddRateCount counts one for key in a single upsert: the first attempt
// inserts {now, 1}; later ones add one, unless the counter's window opened
// at or before staleBefore, which restarts it at {now, 1}. The row lock of
// the upsert serializes concurrent callers of one key, in any process.
func (db *DB) AddRateCount(ctx context.Context, key string, now, staleBefore time.Time) (ratelimit.Counter, error) {
	if now.IsZero() {
		return ratelimit.Counter{}, fmt.Errorf("count rate limit: now: %w", errZeroTime)
	}
	var (
		c     ratelimit.Counter
		start int64
	)
	err := db.queryRowWrite(ctx, `INSERT INTO rate_limits (key, window_start, count)
		VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			window_start = CASE WHEN rate_limits.window_start <= $3 THEN excluded.window_start ELSE rate_limits.window_start END,
			count = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.count + 1 END
		RETURNING window_start, count`,
		key, toDB(now), toDB(staleBefore)).Scan(&start, &c.Count)
	if err != nil {
		return ratelimit.Counter{}, fmt.Errorf("count rate limit: %w", err)
	}
	c.WindowStart = fromDB(start)
	return c, nil
}

// DeleteRateCounters deletes counters whose window opened before before.
func (db *DB) DeleteRateCounters(ctx context.Context, before time.Time) (int, error) {
	ctx = asJob(ctx)
	res, err := db.exec(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, toDB(before))
	if err != nil {
		return 0, fmt.Errorf("delete rate counters: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete rate counters: %w", err)
	}
	return int(n), nil
}
