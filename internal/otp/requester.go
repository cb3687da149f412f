package otp

import (
	"context"

	"github.com/guestgate/guestgate/internal/httpx"
)

// Requester is who asks for a code or enters one: the client network the
// send limits count (httpx.Network of the client address) and the browser
// the code is bound to. Both come from the request in ctx: the client
// address from the request itself, the browser from the pages.
type Requester struct {
	Client  string
	Browser string
}

// RequesterOf returns the requester of the request in ctx (zero outside a
// request: every such caller is one requester).
func RequesterOf(ctx context.Context) Requester {
	c := httpx.ClientOf(ctx)
	return Requester{Client: httpx.Network(c.Addr), Browser: c.Browser}
}
