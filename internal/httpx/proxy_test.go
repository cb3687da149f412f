package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestTrustedProxies: behind a trusted proxy the client address is the
// rightmost X-Forwarded-For entry that is no trusted proxy, so per-client
// limits tell clients apart (issue 20, finding 5); a client that is not a
// trusted proxy cannot choose its address with the header.
func TestTrustedProxies(t *testing.T) {
	tp, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.1,2001:db8::/32 ")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"untrusted_peer_header_ignored", "203.0.113.9", []string{"198.51.100.7"}, "203.0.113.9"},
		{"trusted_peer_no_header", "192.0.2.1", nil, "192.0.2.1"},
		{"one_proxy", "192.0.2.1", []string{"198.51.100.7"}, "198.51.100.7"},
		{"spoofed_left_entries_not_read", "192.0.2.1", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"chain_of_trusted_proxies", "10.1.1.1", []string{"198.51.100.7, 10.2.2.2", "192.0.2.1"}, "198.51.100.7"},
		{"ipv6_client_and_proxy", "2001:db8::5", []string{"2001:db9::7"}, "2001:db9::7"},
		{"client_with_port", "192.0.2.1", []string{"198.51.100.7:5555"}, "198.51.100.7"},
		{"malformed_entry_stops_at_the_proxy", "192.0.2.1", []string{"198.51.100.7, garbage"}, "192.0.2.1"},
		{"only_trusted_hops", "192.0.2.1", []string{"10.0.0.9"}, "10.0.0.9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range c.xff {
				h.Add("X-Forwarded-For", v)
			}
			if got := tp.ClientAddr(c.peer, h); got != c.want {
				t.Fatalf("ClientAddr(%s, %q) = %q, want %q", c.peer, c.xff, got, c.want)
			}
		})
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,proxy.example"); err == nil {
		t.Fatal("a host name must be refused")
	}
	if tp, err := ParseTrustedProxies(""); err != nil || len(tp) != 0 {
		t.Fatalf(`ParseTrustedProxies("") = %v, %v; want none`, tp, err)
	}
}

// TestTrustProxiesMiddleware: the client address in ctx is the one
// ClientAddr finds, and without proxies the header is never read.
func TestTrustProxiesMiddleware(t *testing.T) {
	tp, _ := ParseTrustedProxies("192.0.2.1")
	var got string
	inner := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = ClientOf(r.Context()).Addr })
	for _, c := range []struct {
		tp   TrustedProxies
		want string
	}{{tp, "198.51.100.7"}, {nil, "192.0.2.1"}} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "192.0.2.1:40000"
		r.Header.Set("X-Forwarded-For", "198.51.100.7")
		WithRequestID(TrustProxies(c.tp, inner)).ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Fatalf("client address with proxies %v = %q, want %q", c.tp, got, c.want)
		}
	}
}
