package egress

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// TestDecide is the address rule of issue 20, finding 4: only public
// unicast addresses, unless the operator's allow-list names the address
// (by block, by address and port, or by the name the URL gave and port).
func TestDecide(t *testing.T) {
	allow, err := ParseAllowList("10.20.0.0/16, 192.168.7.7 127.0.0.1:8443,[::1]:9443,adfs.corp.example:443")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rule, host, addr string
		allow            AllowList
		wantClass        string // "" : allowed
	}{
		{rule: "F4_public_ipv4", host: "idp.partner.example", addr: "93.184.216.34:443"},
		{rule: "F4_public_ipv6", host: "idp.partner.example", addr: "[2606:2800:220:1:248:1893:25c8:1946]:443"},
		{rule: "F4_loopback", host: "127.0.0.1", addr: "127.0.0.1:443", wantClass: "loopback"},
		{rule: "F4_loopback_whole_block", host: "127.1.2.3", addr: "127.1.2.3:80", wantClass: "loopback"},
		{rule: "F4_loopback_v6", host: "::1", addr: "[::1]:443", wantClass: "loopback"},
		{rule: "F4_loopback_by_name_after_resolution", host: "localhost", addr: "127.0.0.1:443", wantClass: "loopback"},
		{rule: "F4_rebinding_name_now_private", host: "idp.partner.example", addr: "10.0.0.5:443", wantClass: "private"},
		{rule: "F4_private_10", host: "10.1.2.3", addr: "10.1.2.3:443", wantClass: "private"},
		{rule: "F4_private_172", host: "172.31.255.1", addr: "172.31.255.1:443", wantClass: "private"},
		{rule: "F4_not_private_172_32", host: "172.32.0.1", addr: "172.32.0.1:443"},
		{rule: "F4_private_192_168", host: "192.168.1.1", addr: "192.168.1.1:443", wantClass: "private"},
		{rule: "F4_unique_local_v6", host: "fd00::1", addr: "[fd00::1]:443", wantClass: "unique local (private)"},
		{rule: "F4_link_local_cloud_metadata", host: "169.254.169.254", addr: "169.254.169.254:80", wantClass: "link-local"},
		{rule: "F4_link_local_v6", host: "fe80::1", addr: "[fe80::1%eth0]:443", wantClass: "link-local"},
		{rule: "F4_multicast", host: "224.0.0.251", addr: "224.0.0.251:443", wantClass: "multicast"},
		{rule: "F4_multicast_v6", host: "ff02::1", addr: "[ff02::1]:443", wantClass: "multicast"},
		{rule: "F4_unspecified", host: "0.0.0.0", addr: "0.0.0.0:443", wantClass: "unspecified (this network)"},
		{rule: "F4_unspecified_v6", host: "::", addr: "[::]:443", wantClass: "unspecified"},
		{rule: "F4_cgnat", host: "100.64.1.1", addr: "100.64.1.1:443", wantClass: "shared address space (CGNAT)"},
		{rule: "F4_broadcast", host: "255.255.255.255", addr: "255.255.255.255:443", wantClass: "broadcast"},
		{rule: "F4_reserved", host: "240.0.0.1", addr: "240.0.0.1:443", wantClass: "reserved"},
		{rule: "F4_documentation", host: "192.0.2.1", addr: "192.0.2.1:443", wantClass: "documentation"},
		{rule: "F4_benchmarking", host: "198.18.0.1", addr: "198.18.0.1:443", wantClass: "benchmarking"},
		{rule: "F4_ipv4_mapped_loopback", host: "::ffff:127.0.0.1", addr: "[::ffff:127.0.0.1]:443", wantClass: "loopback"},
		{rule: "F4_nat64_private", host: "64:ff9b::a00:1", addr: "[64:ff9b::a00:1]:443", wantClass: "private (inside IPv6)"},
		{rule: "F4_nat64_public", host: "64:ff9b::5db8:d822", addr: "[64:ff9b::5db8:d822]:443"},
		{rule: "F4_6to4_loopback", host: "2002:7f00:1::1", addr: "[2002:7f00:1::1]:443", wantClass: "loopback (inside IPv6)"},
		{rule: "F4_teredo", host: "2001::1", addr: "[2001::1]:443", wantClass: "IETF protocol assignments"},
		{rule: "F4_site_local_v6", host: "fec0::1", addr: "[fec0::1]:443", wantClass: "site-local (deprecated)"},

		{rule: "F4_allow_cidr", host: "10.20.3.4", addr: "10.20.3.4:443", allow: allow},
		{rule: "F4_allow_cidr_other_block_refused", host: "10.21.3.4", addr: "10.21.3.4:443", allow: allow, wantClass: "private"},
		{rule: "F4_allow_single_address", host: "192.168.7.7", addr: "192.168.7.7:8080", allow: allow},
		{rule: "F4_allow_address_and_port", host: "127.0.0.1", addr: "127.0.0.1:8443", allow: allow},
		{rule: "F4_allow_address_other_port_refused", host: "127.0.0.1", addr: "127.0.0.1:8444", allow: allow, wantClass: "loopback"},
		{rule: "F4_allow_v6_address_and_port", host: "::1", addr: "[::1]:9443", allow: allow},
		{rule: "F4_allow_name_and_port", host: "ADFS.corp.example", addr: "10.99.0.1:443", allow: allow},
		{rule: "F4_allow_name_other_port_refused", host: "adfs.corp.example", addr: "10.99.0.1:8443", allow: allow, wantClass: "private"},
		{rule: "F4_allow_name_not_for_other_names", host: "other.corp.example", addr: "10.99.0.1:443", allow: allow, wantClass: "private"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			err := Decide(c.allow, c.host, netip.MustParseAddrPort(c.addr))
			if c.wantClass == "" {
				if err != nil {
					t.Fatalf("Decide(%s via %s) = %v, want allowed", c.addr, c.host, err)
				}
				return
			}
			var re *RefusedError
			if !errors.As(err, &re) || !errors.Is(err, ErrRefused) || re.Class != c.wantClass {
				t.Fatalf("Decide(%s via %s) = %v, want refused as %q", c.addr, c.host, err, c.wantClass)
			}
		})
	}
}

// TestParseAllowList: entries the operator writes, and mistakes named.
func TestParseAllowList(t *testing.T) {
	for _, good := range []string{"", "10.0.0.0/8", "10.0.0.0/8,fd00::/8", "127.0.0.1:8443 [::1]:8443", "idp.corp.example:443", "::1", " 10.1.1.1 ,\n192.168.0.0/16 "} {
		if _, err := ParseAllowList(good); err != nil {
			t.Errorf("ParseAllowList(%q) = %v, want accepted", good, err)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "idp.corp.example", "idp.corp.example:0", "idp.corp.example:http", "idp_corp:443", "http://idp.corp.example/", "10.0.0.0/8,nonsense"} {
		_, err := ParseAllowList(bad)
		if err == nil || !strings.Contains(err.Error(), "want a CIDR") {
			t.Errorf("ParseAllowList(%q) = %v, want refused with the accepted forms", bad, err)
		}
	}
	if a, _ := ParseAllowList(" , "); !a.Empty() {
		t.Error("an allow-list of separators only should be empty")
	}
}
