package httpx

import "testing"

// TestNetwork: per-client limits count an IPv6 client by its /64, so that
// picking another address of one's own network is no new client (finding
// 5 of issue 20: clean clients pass the per-account and per-address
// budgets).
func TestNetwork(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"203.0.113.5", "203.0.113.5"},
		{"::ffff:203.0.113.5", "203.0.113.5"},
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:bbbb::7", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"", ""},
		{"not an address", "not an address"},
	} {
		if got := Network(c.in); got != c.want {
			t.Errorf("Network(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
