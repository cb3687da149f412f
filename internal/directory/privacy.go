package directory

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// maxPrivacyURL bounds a privacy statement URL.
const maxPrivacyURL = 2048

// CheckPrivacyURL checks a tenant's privacy statement URL and returns it
// trimmed of surrounding spaces. Guests follow it from the sign-in consent
// page, so it must be an absolute https URL with a host and no user
// credentials; plain http is accepted only for a loopback host (localhost,
// 127.0.0.0/8, ::1), for local deployments and tests. An empty URL is
// accepted and clears the link. Anything else is ErrInvalidTenant.
func CheckPrivacyURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if len(s) > maxPrivacyURL {
		return "", fmt.Errorf("%w: the privacy URL is longer than %d characters", ErrInvalidTenant, maxPrivacyURL)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%w: the privacy URL is not a URL", ErrInvalidTenant)
	}
	if !u.IsAbs() || u.Opaque != "" || u.Hostname() == "" {
		return "", fmt.Errorf("%w: the privacy URL must be absolute, like https://fabrikam.example/privacy", ErrInvalidTenant)
	}
	if u.User != nil {
		return "", fmt.Errorf("%w: the privacy URL must not carry a user name or password", ErrInvalidTenant)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("%w: the privacy URL must use https (http only for localhost)", ErrInvalidTenant)
		}
	default:
		return "", fmt.Errorf("%w: the privacy URL must use https", ErrInvalidTenant)
	}
	return s, nil
}

// isLoopback reports whether host names this machine: localhost or a
// loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SetPrivacyURL checks raw with CheckPrivacyURL and stores it as the
// tenant's privacy statement URL, returning what was stored.
func SetPrivacyURL(ctx context.Context, s Store, tenantID, raw string) (string, error) {
	u, err := CheckPrivacyURL(raw)
	if err != nil {
		return "", err
	}
	if err := s.SetTenantPrivacyURL(ctx, tenantID, u); err != nil {
		return "", fmt.Errorf("set privacy URL: %w", err)
	}
	return u, nil
}
