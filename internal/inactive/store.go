package inactive

import (
	"context"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

// Guest is one inactive guest as the store lists them: the user and who
// invited them (from the guest's latest invitation).
type Guest struct {
	User directory.User
	// Sponsors are the object ids of the invitation's invitedUserSponsors.
	Sponsors []string
	// InvitedBy is the inviter's display name or address ("" when unknown).
	InvitedBy string
}

// Cursor is where a page of the listing starts: after the guest with this
// last successful sign-in (zero for never) and id. The zero Cursor is the
// first page.
type Cursor struct {
	LastSuccessfulSignIn time.Time
	ID                   string
}

// Next is the cursor after g.
func Next(g Guest) Cursor {
	return Cursor{LastSuccessfulSignIn: g.User.SignInActivity.LastSuccessfulSignIn, ID: g.User.ID}
}

// MaxPage is the most guests one call of ListInactiveGuests returns.
const MaxPage = 500

// Store lists inactive guests.
type Store interface {
	// ListInactiveGuests returns up to limit (at most MaxPage) guests of
	// the tenant whose last successful sign-in is before cutoff or who,
	// never signed in, were created before it: Decide's rule. They are
	// ordered by last successful sign-in (never first), then id, starting
	// after the cursor.
	ListInactiveGuests(ctx context.Context, tenantID string, cutoff time.Time, after Cursor, limit int) ([]Guest, error)
}
