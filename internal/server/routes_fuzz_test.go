package server

import (
	"strings"
	"testing"
)

func TestRouteTenantPath(t *testing.T) {
	for _, c := range []struct {
		path   string
		seg    string
		rest   string
		oidc   bool
		target tenantTarget
	}{
		{"/fabrikam.example/login", "fabrikam.example", "/login", false, targetTenant},
		{"/9a1d6c1e-0000-4000-8000-000000000000/oauth2/v2.0/token", "9a1d6c1e-0000-4000-8000-000000000000", "/oauth2/v2.0/token", true, targetTenant},
		{"/common/oauth2/v2.0/authorize", "common", "/oauth2/v2.0/authorize", true, targetNoTenant},
		{"/ORGANIZATIONS/v2.0/.well-known/openid-configuration", "ORGANIZATIONS", "/v2.0/.well-known/openid-configuration", true, targetNoTenant},
		{"/Consumers/", "Consumers", "/", false, targetNoTenant},
		{"/conſumers/login", "conſumers", "/login", false, targetNoTenant}, // folds to "consumers"
		{"/\x00/login", "\x00", "/login", false, targetInvalid},
		{"/fab\x00rikam.example/oauth2/v2.0/token", "fab\x00rikam.example", "/oauth2/v2.0/token", true, targetInvalid},
		{"//login", "", "/login", false, targetInvalid},
	} {
		got := routeTenantPath(c.path)
		if got.Segment != c.seg || got.Rest != c.rest || got.OIDC != c.oidc || got.Target != c.target {
			t.Errorf("routeTenantPath(%q) = %+v, want %q %q oidc=%v target=%v", c.path, got, c.seg, c.rest, c.oidc, c.target)
		}
	}
}

// FuzzRouteTenantPath: any path is routed without a panic; /common,
// /organizations and /consumers, in any case folding, never resolve to a
// tenant; a segment with control characters is never looked up.
func FuzzRouteTenantPath(f *testing.F) {
	for _, s := range []string{"/fabrikam.example/login", "/common/oauth2/v2.0/token", "/CoMmOn/", "/organizations", "/conſumers/x", "/\x00/", "/%00/login", "/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		tr := routeTenantPath(path)
		for _, no := range noTenantSegments {
			if strings.EqualFold(tr.Segment, no) && tr.Target != targetNoTenant {
				t.Fatalf("%q resolves %q as %v, want no tenant context", path, tr.Segment, tr.Target)
			}
		}
		if tr.Target == targetTenant && (tr.Segment == "" || strings.ContainsFunc(tr.Segment, func(r rune) bool { return r < 0x20 || r == 0x7f })) {
			t.Fatalf("%q: segment %q would be looked up", path, tr.Segment)
		}
		if !strings.HasPrefix(tr.Rest, "/") {
			t.Fatalf("%q: rest %q does not start with /", path, tr.Rest)
		}
	})
}
