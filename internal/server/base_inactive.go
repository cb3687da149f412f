package server

import "github.com/guestgate/guestgate/internal/admin"

// InactiveGuests builds the listing of inactive guests and the changes to
// them: the users' operations and the store.
func (b *Base) InactiveGuests() (admin.InactiveGuests, error) {
	u, err := b.Users()
	if err != nil {
		return admin.InactiveGuests{}, err
	}
	return admin.NewInactiveGuests(u, b.db, b.clock)
}
