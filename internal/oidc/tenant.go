package oidc

import (
	"context"

	"github.com/guestgate/guestgate/internal/directory"
)

type tenantKey struct{}

// WithTenant returns a context carrying the tenant a request was addressed to.
// guestgate's router calls it after resolving the {tenant} path segment.
func WithTenant(ctx context.Context, t directory.Tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

// TenantFromContext returns the tenant set by WithTenant.
func TenantFromContext(ctx context.Context) (directory.Tenant, bool) {
	t, ok := ctx.Value(tenantKey{}).(directory.Tenant)
	return t, ok && t.ID != ""
}
