package server

import (
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
)

// Values of Config.UnmanagedRedemption (--unmanaged-redemption).
const (
	// UnmanagedSeed follows DESIGN section 5's rollout table: with
	// passcodes off, a guest redeems with (or creates) an account in the
	// unmanaged tenant of their domain.
	UnmanagedSeed = "seed"
	// UnmanagedRetired is today's behaviour of the reproduced product: no
	// new redemption creates or uses an unmanaged account; the fallback is
	// a passcode or a personal account (created when there is none).
	UnmanagedRetired = "retired"
)

// UnmanagedRetired reports the "retired" setting.
func (c Config) UnmanagedRetired() bool { return c.UnmanagedRedemption == UnmanagedRetired }

// publicMailDomains is the built-in list of public consumer mail domains
// with the configured additions (R15).
func (c Config) publicMailDomains() (directory.PublicMailDomains, error) {
	p, err := directory.NewPublicMailDomains(c.PublicMailDomains)
	if err != nil {
		return p, fmt.Errorf("GUESTGATE_PUBLIC_MAIL_DOMAINS: %w", err)
	}
	return p, nil
}

func (c Config) validateUnmanaged() error {
	if _, err := c.publicMailDomains(); err != nil {
		return err
	}
	switch c.UnmanagedRedemption {
	case "", UnmanagedSeed, UnmanagedRetired:
		return nil
	}
	return fmt.Errorf("GUESTGATE_UNMANAGED_REDEMPTION %q: give %q (the rollout table) or %q (never create or use unmanaged accounts)",
		c.UnmanagedRedemption, UnmanagedSeed, UnmanagedRetired)
}
