package server

import (
	"context"
	"fmt"
	"slices"

	"github.com/guestgate/guestgate/internal/directory"
)

// SetAppSignUp turns an app's self-service sign-up on or off (R13:
// guestgate app create --sign-up, app update --sign-up).
func (s *Server) SetAppSignUp(ctx context.Context, tenantID, appID string, enabled bool) error {
	return s.db.SetAppSignUp(ctx, tenantID, appID, enabled)
}

// SetSignUpDomains restricts the tenant's app sign-up to domains (none:
// any domain); it returns them normalized and sorted.
func (s *Server) SetSignUpDomains(ctx context.Context, t directory.Tenant, domains []string) ([]string, error) {
	var out []string
	for _, d := range domains {
		nd, err := directory.NormalizeDomain(d)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", directory.ErrInvalidTenant, err)
		}
		if !slices.Contains(out, nd) {
			out = append(out, nd)
		}
	}
	slices.Sort(out)
	return out, s.db.SetSignUpDomains(ctx, t.ID, out)
}
