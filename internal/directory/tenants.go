package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/store"
)

// NewTenantRequest is what an operator gives to create a tenant.
type NewTenantRequest struct {
	Name    string
	Domains []string // verified domains, e.g. fabrikam.example
	Cloud   Cloud    // default public
	// PreviewOptIn marks a tenant that opted into the email OTP preview.
	PreviewOptIn bool
}

// ErrInvalidTenant is a tenant request an operator must correct.
var ErrInvalidTenant = errors.New("invalid tenant")

// NewTenant checks req and builds the tenant: a fresh UUID, the initial
// domain {name}.{suffix} (suffix e.g. "guestgate.local"), and the verified
// domains after it.
func NewTenant(req NewTenantRequest, suffix string, now time.Time) (Tenant, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" || len(name) > 256 {
		return Tenant{}, fmt.Errorf("%w: a name of 1 to 256 characters is required", ErrInvalidTenant)
	}
	cloud := req.Cloud
	if cloud == "" {
		cloud = CloudPublic
	}
	if !cloud.Valid() {
		return Tenant{}, fmt.Errorf("%w: cloud must be %q or %q", ErrInvalidTenant, CloudPublic, CloudUSGov)
	}
	label := initialLabel(name)
	if label == "" {
		label = "tenant"
	}
	t := Tenant{
		ID: uuid.NewString(), DisplayName: name, Cloud: cloud, Managed: true,
		PreviewOptIn: req.PreviewOptIn, CreatedAt: now,
		InitialDomain: label + "." + strings.TrimPrefix(suffix, "."),
	}
	t.Domains = []string{t.InitialDomain}
	var salt [32]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return Tenant{}, fmt.Errorf("tenant subject salt: %w", err)
	}
	t.SubjectSalt = base64.RawURLEncoding.EncodeToString(salt[:])
	for _, d := range req.Domains {
		nd, err := NormalizeDomain(d)
		if err != nil {
			return Tenant{}, fmt.Errorf("%w: %v", ErrInvalidTenant, err)
		}
		t.Domains = append(t.Domains, nd)
	}
	return t, nil
}

// initialLabel turns a display name into a DNS label: "Fabrikam, Inc." → "fabrikaminc".
func initialLabel(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
		if b.Len() == 40 {
			break
		}
	}
	return b.String()
}

// CreateTenant builds and stores a tenant. When the initial domain is taken
// it tries {label}2, {label}3, …; a verified domain that is taken is an error.
func CreateTenant(ctx context.Context, s Store, req NewTenantRequest, suffix string, now time.Time) (Tenant, error) {
	t, err := NewTenant(req, suffix, now)
	if err != nil {
		return t, err
	}
	base := strings.TrimSuffix(t.InitialDomain, "."+strings.TrimPrefix(suffix, "."))
	for n := 2; n < 100; n++ {
		if _, err := s.GetTenantByDomain(ctx, t.InitialDomain); errors.Is(err, store.ErrNotFound) {
			break
		} else if err != nil {
			return t, fmt.Errorf("create tenant: %w", err)
		}
		t.InitialDomain = fmt.Sprintf("%s%d.%s", base, n, strings.TrimPrefix(suffix, "."))
		t.Domains[0] = t.InitialDomain
	}
	if err := s.CreateTenant(ctx, t); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return t, fmt.Errorf("%w: a domain of %v already belongs to another tenant", ErrInvalidTenant, t.Domains[1:])
		}
		return t, fmt.Errorf("create tenant: %w", err)
	}
	return t, nil
}

// Resolve finds a tenant by id or verified domain: the {tenant} of every
// tenant-context URL (R5). Anything else is store.ErrNotFound, never a fallback.
func Resolve(ctx context.Context, s Store, idOrDomain string) (Tenant, error) {
	if _, err := uuid.Parse(idOrDomain); err == nil {
		return s.GetTenant(ctx, strings.ToLower(idOrDomain))
	}
	d, err := NormalizeDomain(idOrDomain)
	if err != nil {
		return Tenant{}, fmt.Errorf("resolve tenant %q: %w", idOrDomain, store.ErrNotFound)
	}
	return s.GetTenantByDomain(ctx, d)
}
