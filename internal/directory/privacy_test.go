package directory

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPrivacyURL(t *testing.T) {
	cases := []struct {
		rule string
		in   string
		want string // the stored URL; "" with ok false means refused
		ok   bool
	}{
		{"https_accepted", "https://fabrikam.example/privacy", "https://fabrikam.example/privacy", true},
		{"https_with_port_query_fragment", "https://fabrikam.example:8443/legal?lang=en#privacy", "https://fabrikam.example:8443/legal?lang=en#privacy", true},
		{"scheme_any_case", "HTTPS://fabrikam.example/privacy", "HTTPS://fabrikam.example/privacy", true},
		{"spaces_trimmed", "  https://fabrikam.example/privacy\n", "https://fabrikam.example/privacy", true},
		{"empty_clears", "", "", true},
		{"blank_clears", "   ", "", true},
		{"http_localhost", "http://localhost:8080/privacy", "http://localhost:8080/privacy", true},
		{"http_loopback_v4", "http://127.0.0.1/privacy", "http://127.0.0.1/privacy", true},
		{"http_loopback_v4_range", "http://127.1.2.3/privacy", "http://127.1.2.3/privacy", true},
		{"http_loopback_v6", "http://[::1]:8080/privacy", "http://[::1]:8080/privacy", true},
		{"http_public_host_refused", "http://fabrikam.example/privacy", "", false},
		{"http_lookalike_localhost_refused", "http://localhost.fabrikam.example/privacy", "", false},
		{"http_private_address_refused", "http://10.0.0.1/privacy", "", false},
		{"relative_refused", "/privacy", "", false},
		{"scheme_relative_refused", "//fabrikam.example/privacy", "", false},
		{"no_host_refused", "https:///privacy", "", false},
		{"opaque_refused", "https:fabrikam.example", "", false},
		{"javascript_refused", "javascript:alert(1)", "", false},
		{"mailto_refused", "mailto:privacy@fabrikam.example", "", false},
		{"ftp_refused", "ftp://fabrikam.example/privacy", "", false},
		{"credentials_refused", "https://user:pass@fabrikam.example/privacy", "", false},
		{"control_character_refused", "https://fabrikam.example/pri\x00vacy", "", false},
		{"too_long_refused", "https://fabrikam.example/" + strings.Repeat("a", maxPrivacyURL), "", false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := CheckPrivacyURL(c.in)
			switch {
			case c.ok && (err != nil || got != c.want):
				t.Fatalf("CheckPrivacyURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
			case !c.ok && !errors.Is(err, ErrInvalidTenant):
				t.Fatalf("CheckPrivacyURL(%q) = %q, %v; want ErrInvalidTenant", c.in, got, err)
			}
		})
	}
}
