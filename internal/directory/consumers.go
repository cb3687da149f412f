package directory

import (
	"fmt"
	"strings"
	"time"
)

// ConsumersTenantID is the built-in consumers directory: the tenant that
// holds personal accounts (the analogue of Microsoft accounts, whose
// directory has this same id). Its issuer is {public URL}/{ConsumersTenantID}/v2.0
// and its own pages (sign-in, sign-up) live under /{ConsumersTenantID}/.
// /consumers stays a path without tenant context for guests (R5).
const ConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// consumersLabel is the consumers directory's initial domain label.
const consumersLabel = "consumers"

// ConsumersTenant is the consumers directory's record, created once per
// deployment: it has no verified domain but its initial one, so no
// address's domain ever finds it as a home tenant.
func ConsumersTenant(suffix string, now time.Time) Tenant {
	d := consumersLabel + "." + strings.TrimPrefix(suffix, ".")
	return Tenant{
		ID: ConsumersTenantID, DisplayName: "Personal accounts", InitialDomain: d, Domains: []string{d},
		Cloud: CloudPublic, Managed: true, CreatedAt: now,
	}
}

// IsConsumers reports the consumers directory.
func IsConsumers(tenantID string) bool { return tenantID == ConsumersTenantID }

// NewUnmanagedTenant builds the unmanaged tenant an email-verified
// self-service sign-up creates for domain, a domain no managed tenant has
// verified (section 3, row 6; R12): no admin, the domain as its verified
// domain, public cloud. A public consumer mail domain (public) never gets
// one: ErrPublicMailDomain (R15).
func NewUnmanagedTenant(domain, suffix string, public PublicMailDomains, now time.Time) (Tenant, error) {
	nd, err := NormalizeDomain(domain)
	if err != nil {
		return Tenant{}, fmt.Errorf("%w: %v", ErrInvalidTenant, err)
	}
	if public.Has(nd) {
		return Tenant{}, fmt.Errorf("%w: %s", ErrPublicMailDomain, nd)
	}
	t, err := NewTenant(NewTenantRequest{Name: nd, Domains: []string{nd}}, suffix, now)
	if err != nil {
		return Tenant{}, err
	}
	// The initial domain must not collide with a managed tenant of a similar name.
	t.InitialDomain = "unmanaged-" + t.ID[:8] + "." + strings.TrimPrefix(suffix, ".")
	t.Domains[0] = t.InitialDomain
	t.Managed = false
	return t, nil
}
