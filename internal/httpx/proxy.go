package httpx

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed:
// addresses and prefixes. Empty (the default) believes no header, and the
// client address is the connection's peer.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies parses a comma-separated list of IP addresses and
// CIDR prefixes ("" is none).
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var tp TrustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			tp = append(tp, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or a CIDR prefix", f)
		}
		a = a.Unmap()
		tp = append(tp, netip.PrefixFrom(a, a.BitLen()))
	}
	return tp, nil
}

// trusts reports whether addr is one of the proxies.
func (tp TrustedProxies) trusts(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range tp {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the client address of a request whose connection peer is
// peer: when the peer is a trusted proxy, the rightmost X-Forwarded-For
// entry that is not one (the address the outermost trusted proxy saw);
// otherwise the peer. A client cannot choose its address by sending the
// header itself: entries left of the first untrusted one are never read,
// and a malformed entry ends the walk at the proxy that added it.
func (tp TrustedProxies) ClientAddr(peer string, h http.Header) string {
	if !tp.trusts(peer) {
		return peer
	}
	var hops []string
	for _, line := range h.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(line, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(hop)
		if err != nil {
			ap, perr := netip.ParseAddrPort(hop)
			if perr != nil {
				return client
			}
			a = ap.Addr()
		}
		client = a.Unmap().String()
		if !tp.trusts(client) {
			return client
		}
	}
	return client
}

// TrustProxies sets the request's client address (ClientOf) from
// X-Forwarded-For when the connection comes from a trusted proxy
// (ClientAddr). Put it inside WithRequestID. With no proxies it is next.
func TrustProxies(tp TrustedProxies, next http.Handler) http.Handler {
	if len(tp) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := ClientOf(r.Context())
		if addr := tp.ClientAddr(c.Addr, r.Header); addr != c.Addr {
			c.Addr = addr
			r = r.WithContext(WithClient(r.Context(), c))
		}
		next.ServeHTTP(w, r)
	})
}
