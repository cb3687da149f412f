package server

import (
	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
)

// InactiveGuests builds the listing of inactive guests and the changes to
// them: the users' operations and the store.
func (b *Base) InactiveGuests() (admin.InactiveGuests, error) {
	u, err := b.Users()
	if err != nil {
		return admin.InactiveGuests{}, err
	}
	return admin.NewInactiveGuests(u, b.db, b.clock)
}

// InactivePolicy builds the settings of the tenants' inactive-guest
// policies over the store.
func (b *Base) InactivePolicy() (inactivepolicy.Settings, error) {
	return b.inactivePolicySettings(), nil
}

func (b *Base) inactivePolicySettings() inactivepolicy.Settings {
	return inactivepolicy.Settings{Store: b.db, Audit: b.db, Tx: b.db, Clock: b.clock}
}
