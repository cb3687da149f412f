package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache keeps one prepared statement per query text and pool. SQLite's
// driver would otherwise parse every query on every call, which the
// benchmark showed costing a tenth of a sign-in's CPU; pgx caches prepared
// statements per connection on its own, so PostgreSQL does not use this.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// lookup returns the cached statement for q, if any, without preparing.
func (c *stmtCache) lookup(q string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[q]
	return s, ok
}

// get returns the statement for q, preparing it on the pool if needed. It
// needs a free connection of the pool: never call it inside a transaction
// on SQLite's single writer connection.
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, q string) (*sql.Stmt, error) {
	if s, ok := c.lookup(q); ok {
		return s, nil
	}
	// Prepare without holding the lock: it may wait for a connection, and
	// the holder of that connection may need the cache to finish.
	s, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		_ = s.Close()
		return prev, nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[q] = s
	return s, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		_ = s.Close()
	}
	c.m = nil
}

// stmtQuerier runs queries through cached prepared statements: on the
// transaction in ctx if there is one, else on the pool. Inside a
// transaction a query not prepared yet runs unprepared once and is
// prepared when the transaction ends, because preparing needs a free
// connection and the writer's only connection is the transaction's.
type stmtQuerier struct {
	pool  *sql.DB
	cache *stmtCache
	tx    *txState // nil outside a transaction
}

// stmt returns the prepared statement for q, or nil when q must run
// unprepared this time.
func (s stmtQuerier) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s.tx == nil {
		return s.cache.get(ctx, s.pool, q)
	}
	if st, ok := s.cache.lookup(q); ok {
		return s.tx.tx.StmtContext(ctx, st), nil
	}
	s.tx.toPrepare = append(s.tx.toPrepare, q)
	return nil, nil
}

func (s stmtQuerier) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return s.tx.tx.ExecContext(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (s stmtQuerier) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return s.tx.tx.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (s stmtQuerier) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, q)
	switch {
	case st != nil:
		return st.QueryRowContext(ctx, args...)
	case s.tx != nil:
		return s.tx.tx.QueryRowContext(ctx, q, args...)
	}
	// Preparing failed outside a transaction: a *sql.Row cannot carry the
	// error, so the same query unprepared reports it on Scan.
	_ = err
	return s.pool.QueryRowContext(ctx, q, args...)
}

// prepareLater prepares the queries a finished transaction ran unprepared.
func (c *stmtCache) prepareLater(ctx context.Context, pool *sql.DB, queries []string) {
	for _, q := range queries {
		_, _ = c.get(context.WithoutCancel(ctx), pool, q) // best effort: a failure only means parsing again next time
	}
}
