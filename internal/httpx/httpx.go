// Package httpx holds the HTTP plumbing every surface shares: request ids,
// access logs, panic recovery and the client address. It knows no domain.
package httpx

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
)

type (
	requestIDKey       struct{}
	clientRequestIDKey struct{}
	clientKey          struct{}
)

// RequestID returns the id of the request in ctx ("" outside a request):
// the server's own GUID, sent back as the request-id header.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ClientRequestID returns the client-request-id of the request in ctx: the
// client's own header when it sent a usable one, else the request id (as
// Graph answers a client that sent none).
func ClientRequestID(ctx context.Context) string {
	id, _ := ctx.Value(clientRequestIDKey{}).(string)
	return id
}

// Client is who sent a request, as sign-in logs record it.
type Client struct {
	// Addr is the client's IP address: the connection's peer, or, when
	// the peer is one of the deployment's trusted proxies (TrustProxies),
	// the address its X-Forwarded-For names.
	Addr      string
	UserAgent string
	// Browser is an opaque id of the browser the request came from, set
	// by the pages from their per-browser cookie ("" when unknown): a
	// passcode is bound to the browser that asked for it.
	Browser string
}

// ClientOf returns the client of the request in ctx (zero outside a request).
func ClientOf(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// WithClient returns ctx carrying c as the request's client (WithRequestID
// sets it for every request; services' tests and callers outside HTTP use it).
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// maxClientRequestID bounds an echoed client-request-id (a GUID is 36).
const maxClientRequestID = 64

// WithRequestID gives every request a GUID (the request-id header, as
// Graph's), echoes the client's client-request-id (or the request id when
// it sent none or an unusable one), and puts both and the client's address
// in ctx.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := uuid.NewString()
		clientID := r.Header.Get("client-request-id")
		if !usableClientRequestID(clientID) {
			clientID = id
		}
		w.Header().Set("request-id", id)
		w.Header().Set("client-request-id", clientID)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = context.WithValue(ctx, clientRequestIDKey{}, clientID)
		ctx = context.WithValue(ctx, clientKey{}, Client{Addr: remoteIP(r.RemoteAddr), UserAgent: r.UserAgent()})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// usableClientRequestID accepts a short value of printable ASCII: it is
// echoed in a header and in JSON.
func usableClientRequestID(s string) bool {
	if s == "" || len(s) > maxClientRequestID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// AccessLog logs one line per request: method, path (never the query: it
// may carry tickets or codes), status, duration, request id. A panic in a
// handler is logged and answered 500 instead of killing the connection.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := NewStatusWriter(w)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "handler panic", "panic", p, "path", r.URL.Path, "request_id", RequestID(r.Context()))
				if sw.Status() == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.Status()), slog.Duration("duration", time.Since(start)),
				slog.String("request_id", RequestID(r.Context())))
		}()
		next.ServeHTTP(sw, r)
	})
}
