-- Abuse-limit counters (internal/ratelimit), one fixed window per key:
-- "{action}|client|{address}" and "{action}|tenant|{tenant id}[/{app id}]".
-- Counting is one upsert, so concurrent attempts in any process are all
-- counted; a window that ended is replaced by a new one, and a periodic
-- purge deletes counters that count nothing any more. Times are unix
-- microseconds, as in 0001.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count        INTEGER NOT NULL
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);
