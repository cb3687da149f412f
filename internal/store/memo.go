package store

import (
	"context"
	"sync"
)

// A request memo holds what an engine read together with something a
// request asked for, because the request's next step reads it too: the
// engine answers that step from the memo instead of another round trip to
// the database. It lives no longer than one HTTP request (the router puts
// it in the request's context), and engines use it only for reads outside
// a transaction: a transaction reads the database itself, so what it
// decides on is what it commits with.

type memoKey struct{}

// Memo is one request's memo. Its zero value is not usable; see
// WithRequestMemo.
type Memo struct {
	mu sync.Mutex
	m  map[string]any
}

// WithRequestMemo returns a context for one HTTP request with an empty
// memo. Use it for a request's context only.
func WithRequestMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &Memo{m: map[string]any{}})
}

// MemoOf returns the request's memo, or nil outside a request.
func MemoOf(ctx context.Context) *Memo {
	m, _ := ctx.Value(memoKey{}).(*Memo)
	return m
}

// Get returns the value kept under key. A nil memo holds nothing.
func (m *Memo) Get(key string) (any, bool) {
	if m == nil {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[key]
	return v, ok
}

// Put keeps v under key. A nil memo keeps nothing.
func (m *Memo) Put(key string, v any) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = v
}

// Drop forgets key (the request changed what it names).
func (m *Memo) Drop(key string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
}
