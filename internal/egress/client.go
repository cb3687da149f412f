package egress

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Limits of a Client unless Options say otherwise.
const (
	// DefaultTimeout bounds one exchange: connecting, redirects, the
	// answer's headers and its body.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBytes bounds an answer's body (metadata, discovery, keys
	// and token answers are a few kilobytes).
	DefaultMaxBytes = 1 << 20
	// DefaultMaxRedirects bounds the redirects followed.
	DefaultMaxRedirects = 5
)

// Options configure a Client. The zero value is production's: https to
// public addresses only, DefaultTimeout, DefaultMaxBytes and
// DefaultMaxRedirects.
type Options struct {
	// AllowHTTP lets URLs use plain http (a redirect from https to http
	// stays refused). Development and tests only.
	AllowHTTP bool
	// Allow names the non-public addresses that may be reached.
	Allow AllowList
	// RootCAs, if set, are the only trusted roots (tests); nil means the
	// system's.
	RootCAs *x509.CertPool
	// Timeout, MaxBytes and MaxRedirects override the defaults when positive.
	Timeout      time.Duration
	MaxBytes     int64
	MaxRedirects int
}

// NewClient returns the client every fetch from a partner goes through. It
// connects directly (HTTP_PROXY and HTTPS_PROXY are not used: a proxy
// would connect on its behalf, out of Decide's reach) and checks each
// connection's resolved address with Decide in net.Dialer.Control, so
// redirects and names that resolve differently from one moment to the
// next are checked at the connection itself.
func NewClient(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	dialer := &net.Dialer{Timeout: o.Timeout / 2, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, fmt.Errorf("egress: dial %s: %w", addr, err)
			}
			d := *dialer
			d.Control = func(_, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return fmt.Errorf("egress: dial %s: %w", address, err)
				}
				return Decide(o.Allow, host, ap)
			}
			return d.DialContext(ctx, network, addr)
		},
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    o.Timeout / 2,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           32,
		MaxConnsPerHost:        16,
		IdleConnTimeout:        90 * time.Second,
	}
	return &http.Client{
		Transport: &guard{next: tr, allowHTTP: o.AllowHTTP, max: o.MaxBytes},
		Timeout:   o.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			return checkRedirect(req, via, o.MaxRedirects)
		},
	}
}

// checkRedirect bounds redirects, keeps https, and refuses to redirect a
// request that carries a body (a token request's client secret). The new
// address is checked when it is dialled, the scheme by the guard.
func checkRedirect(req *http.Request, via []*http.Request, max int) error {
	if len(via) > max {
		return fmt.Errorf("%w: more than %d redirects", ErrRedirect, max)
	}
	if m := via[0].Method; m != http.MethodGet && m != http.MethodHead {
		return fmt.Errorf("%w: a %s request is not redirected", ErrRedirect, m)
	}
	if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: a redirect from https to %s", ErrScheme, req.URL.Scheme)
	}
	return nil
}

// guard refuses schemes other than https (and http when allowed) on every
// request, redirects included, and bounds every answer's body.
type guard struct {
	next      http.RoundTripper
	allowHTTP bool
	max       int64
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	switch s := req.URL.Scheme; {
	case s == "https", s == "http" && g.allowHTTP:
	default:
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w (got %q)", ErrScheme, s)
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > g.max {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes announced, at most %d read", ErrTooLarge, resp.ContentLength, g.max)
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: g.max}
	return resp, nil
}

// limitedBody reads at most left bytes, then fails with ErrTooLarge if
// the answer goes on.
type limitedBody struct {
	io.ReadCloser
	left int64
	over bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) > b.left {
		b.over = true
		return int(b.left), ErrTooLarge
	}
	b.left -= int64(n)
	return n, err
}
