package httpx

import "net/netip"

// Network is the unit that per-client limits count a client address by:
// an IPv4 address itself, an IPv6 address's /64 (one subscriber's
// network: a host picks any address in it at will). An address that does
// not parse is returned unchanged.
func Network(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}
