package directory

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPublicMailDomains (R15): the built-in list holds the well-known
// consumer domains, matched in any case; an operator's additions count
// too; the zero value is the built-in list (a forgotten configuration
// still refuses gmail.com); a malformed addition is refused.
func TestPublicMailDomains(t *testing.T) {
	var zero PublicMailDomains
	extra, err := NewPublicMailDomains([]string{"Mail.Example.NET", " "})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rule string
		p    PublicMailDomains
		addr string
		want bool
	}{
		{"R15_builtin_gmail", zero, "mallory@gmail.com", true},
		{"R15_builtin_any_case", zero, "Mallory@GMail.COM", true},
		{"R15_builtin_outlook", zero, "a@outlook.com", true},
		{"R15_builtin_yahoo_country", zero, "a@yahoo.co.jp", true},
		{"R15_builtin_icloud", extra, "a@icloud.com", true},
		{"R15_organisation_domain_is_not_public", zero, "lee@northwind.example", false},
		{"R15_subdomain_is_not_the_domain", zero, "a@corp.gmail.com", false},
		{"R15_operator_addition", extra, "a@mail.example.net", true},
		{"R15_addition_only_where_configured", zero, "a@mail.example.net", false},
	}
	for _, c := range cases {
		if got := c.p.HasAddress(c.addr); got != c.want {
			t.Errorf("%s: HasAddress(%q) = %v, want %v", c.rule, c.addr, got, c.want)
		}
	}
	if _, err := NewPublicMailDomains([]string{"not a domain"}); err == nil || !strings.Contains(err.Error(), "not a domain") {
		t.Fatalf("a malformed addition = %v, want an error naming it", err)
	}
}

// TestPublicMailDomainsList: every line of the shipped list is a
// lower-case domain name, none twice, sorted within its group.
func TestPublicMailDomainsList(t *testing.T) {
	set, err := parsePublicMailDomains(publicMailDomainsText)
	if err != nil {
		t.Fatal(err)
	}
	var group []string
	n := 0
	check := func() {
		if !slices.IsSorted(group) {
			t.Errorf("group not sorted: %v", group)
		}
		group = group[:0]
	}
	for _, line := range strings.Split(publicMailDomainsText, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			check()
			continue
		}
		group = append(group, line)
		n++
	}
	check()
	if len(set) != n {
		t.Fatalf("%d lines but %d domains: a domain is listed twice", n, len(set))
	}
	if _, err := parsePublicMailDomains("Gmail.com\n"); err == nil {
		t.Fatal("an upper-case line was accepted")
	}
}

// TestNoUnmanagedTenantForPublicDomain (R15): NewUnmanagedTenant refuses a
// public consumer mail domain, built-in or added, and still makes one for
// an organisation's domain.
func TestNoUnmanagedTenantForPublicDomain(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	extra, err := NewPublicMailDomains([]string{"mail.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"gmail.com", "GMAIL.COM", "mail.example.net"} {
		if _, err := NewUnmanagedTenant(d, "guestgate.local", extra, now); !errors.Is(err, ErrPublicMailDomain) {
			t.Errorf("R15_no_unmanaged_directory_for_%s: %v, want ErrPublicMailDomain", d, err)
		}
	}
	tn, err := NewUnmanagedTenant("northwind.example", "guestgate.local", extra, now)
	if err != nil || tn.Managed || !slices.Contains(tn.Domains, "northwind.example") {
		t.Fatalf("R12_unmanaged_directory_for_an_organisation_domain: %+v, %v", tn, err)
	}
}

// TestAdministered (R10, R15): only a managed organisation's tenant has
// administrators; an unmanaged tenant and the consumers directory have none.
func TestAdministered(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	managed, err := NewTenant(NewTenantRequest{Name: "Fabrikam"}, "guestgate.local", now)
	if err != nil {
		t.Fatal(err)
	}
	unmanaged, err := NewUnmanagedTenant("northwind.example", "guestgate.local", PublicMailDomains{}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		rule string
		t    Tenant
		want bool
	}{
		{"R10_managed_tenant_has_admins", managed, true},
		{"R15_unmanaged_tenant_has_no_admin", unmanaged, false},
		{"R15_consumers_directory_has_no_admin", ConsumersTenant("guestgate.local", now), false},
	} {
		if got := c.t.Administered(); got != c.want {
			t.Errorf("%s: Administered() = %v, want %v", c.rule, got, c.want)
		}
	}
}
