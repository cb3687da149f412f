package egress

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// block is a range of addresses a fetch never reaches unless allow-listed.
type block struct {
	prefix netip.Prefix
	class  string
}

// nonPublic are the blocks of IANA's IPv4 and IPv6 special-purpose address
// registries (RFC 6890 and successors) that are not globally reachable,
// with multicast, broadcast and the reserved ranges. More specific blocks
// come first, so the class named is the most precise.
var nonPublic = func() []block {
	list := []struct{ cidr, class string }{
		{"0.0.0.0/8", "unspecified (this network)"},
		{"10.0.0.0/8", "private"},
		{"100.64.0.0/10", "shared address space (CGNAT)"},
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link-local"},
		{"172.16.0.0/12", "private"},
		{"192.0.0.0/24", "IETF protocol assignments"},
		{"192.0.2.0/24", "documentation"},
		{"192.88.99.0/24", "6to4 relay anycast"},
		{"192.168.0.0/16", "private"},
		{"198.18.0.0/15", "benchmarking"},
		{"198.51.100.0/24", "documentation"},
		{"203.0.113.0/24", "documentation"},
		{"224.0.0.0/4", "multicast"},
		{"255.255.255.255/32", "broadcast"},
		{"240.0.0.0/4", "reserved"},
		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"::/96", "IPv4-compatible (deprecated)"},
		{"64:ff9b:1::/48", "local-use NAT64"},
		{"100::/64", "discard-only"},
		{"2001:db8::/32", "documentation"},
		{"2001::/23", "IETF protocol assignments"},
		{"3fff::/20", "documentation"},
		{"5f00::/16", "segment routing"},
		{"fc00::/7", "unique local (private)"},
		{"fe80::/10", "link-local"},
		{"fec0::/10", "site-local (deprecated)"},
		{"ff00::/8", "multicast"},
	}
	out := make([]block, len(list))
	for i, b := range list {
		out[i] = block{prefix: netip.MustParsePrefix(b.cidr), class: b.class}
	}
	return out
}()

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Class names the kind of a non-public address ("loopback", "private",
// "link-local", "multicast", "shared address space (CGNAT)", …), or "" for
// a public unicast address. An IPv4 address carried inside IPv6 (mapped,
// NAT64, 6to4) is judged by the IPv4 address it carries.
func Class(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid"
	}
	ip = ip.WithZone("").Unmap()
	if v4, ok := embeddedIPv4(ip); ok {
		if c := Class(v4); c != "" {
			return c + " (inside IPv6)"
		}
		return ""
	}
	for _, b := range nonPublic {
		if b.prefix.Contains(ip) {
			return b.class
		}
	}
	if !ip.IsGlobalUnicast() {
		return "not global unicast"
	}
	return ""
}

// embeddedIPv4 is the IPv4 address a NAT64 (64:ff9b::/96) or 6to4
// (2002::/16) address carries.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// AllowList names the non-public addresses the operator lets fetches
// reach: CIDRs (10.20.0.0/16), single addresses (10.20.0.5, ::1), and
// host:port, one service by address (127.0.0.1:8443, [::1]:8443) or by
// name (adfs.corp.example:443, whatever the name resolves to). The zero
// value allows none.
type AllowList struct {
	prefixes  []netip.Prefix
	addrPorts map[netip.AddrPort]bool
	hostPorts map[string]bool // lower-case name:port
}

// ParseAllowList reads entries separated by commas or white space.
func ParseAllowList(s string) (AllowList, error) {
	var a AllowList
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if err := a.add(e); err != nil {
			return AllowList{}, err
		}
	}
	return a, nil
}

func (a *AllowList) add(e string) error {
	bad := fmt.Errorf("%q: want a CIDR (10.20.0.0/16), an address (10.20.0.5), or host:port (adfs.corp.example:443)", e)
	if strings.Contains(e, "/") {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return bad
		}
		a.prefixes = append(a.prefixes, p.Masked())
		return nil
	}
	if ip, err := netip.ParseAddr(e); err == nil {
		ip = ip.WithZone("").Unmap()
		a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
		return nil
	}
	host, portText, err := net.SplitHostPort(e)
	if err != nil {
		return bad
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return bad
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if a.addrPorts == nil {
			a.addrPorts = map[netip.AddrPort]bool{}
		}
		a.addrPorts[netip.AddrPortFrom(ip.WithZone("").Unmap(), uint16(port))] = true
		return nil
	}
	if !hostName(host) {
		return bad
	}
	if a.hostPorts == nil {
		a.hostPorts = map[string]bool{}
	}
	a.hostPorts[strings.ToLower(host)+":"+portText] = true
	return nil
}

// hostName reports a DNS name: letters, digits, hyphens and dots.
func hostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Empty reports an allow-list that names nothing.
func (a AllowList) Empty() bool {
	return len(a.prefixes) == 0 && len(a.addrPorts) == 0 && len(a.hostPorts) == 0
}

// permits reports whether the list names ip, ip:port, or host:port.
func (a AllowList) permits(host string, ip netip.Addr, port uint16) bool {
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return a.addrPorts[netip.AddrPortFrom(ip, port)] ||
		a.hostPorts[strings.ToLower(host)+":"+strconv.Itoa(int(port))]
}

// Decide is the rule of every outbound connection (issue 20, finding 4):
// a connection to addr, made for a URL naming host (a name or an address,
// as written), is allowed when addr is a public unicast address or the
// allow-list names it (its block, the address and port, or the host name
// and port); otherwise it is a *RefusedError naming the address's class.
// It is pure: the dialer calls it with the address the name resolved to.
func Decide(allow AllowList, host string, addr netip.AddrPort) error {
	ip := addr.Addr().WithZone("").Unmap()
	class := Class(ip)
	if class == "" || allow.permits(host, ip, addr.Port()) {
		return nil
	}
	return &RefusedError{Host: host, Addr: netip.AddrPortFrom(ip, addr.Port()), Class: class}
}
