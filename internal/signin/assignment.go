package signin

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
)

// App assignment (R16): an app that requires assignment admits only the
// users assigned to it, directly or through a group. The sign-in service
// reads a user's access to the app once per sign-in to an app, where the
// sign-in finishes (startSession, in its transaction) or where a live
// session answers the app (ContinueSession), and refuses an unassigned
// user with *NotAssignedError, recorded as Entra records it (50105). A
// sign-in to the tenant's own pages (My Apps, the console, a redeem
// link's redirect) is to no app and reads nothing. Allowed asks again
// wherever a grant of the app is used, so a removed assignment or a left
// group stops the app's refresh token at its next use.
//
// A first redemption to such an app redeems the invitation and then
// refuses the app, as Entra does: the guest is Accepted (the identity
// provider fixed, R7) and the refusal commits with the redemption, so an
// admin who assigns the guest later needs no new invitation.

// NotAssignedError refuses a user who is not assigned to an app that
// requires assignment. It wraps assignment.ErrNotAssigned.
type NotAssignedError struct {
	// AppID is the app's client id; AppName its display name ("" when
	// the step does not know it).
	AppID, AppName string
}

func (e *NotAssignedError) Error() string {
	if e.AppName == "" {
		return fmt.Sprintf("The signed in user is not assigned to a role for the application '%s'.", e.AppID)
	}
	return fmt.Sprintf("The signed in user is not assigned to a role for the application '%s'(%s).", e.AppID, e.AppName)
}

// Unwrap makes errors.Is(err, assignment.ErrNotAssigned) hold.
func (e *NotAssignedError) Unwrap() error { return assignment.ErrNotAssigned }

// admitted reads, once, whether userID may sign in to the app of next:
// nil for a sign-in to no app (the tenant's own pages) and for an app that
// admits the user, *NotAssignedError for an app that requires an
// assignment the user lacks. app is next's app as the caller named it
// (appOf); when appOf could not name it, the app's request is read again
// and must answer, so a passing failure never skips the check. It joins
// the transaction in ctx, if any.
func (s *Service) admitted(ctx context.Context, t directory.Tenant, userID string, next Continuation, app appRef) error {
	if next.AuthRequestID == "" {
		return nil
	}
	if app.ID == "" {
		if !plausibleRequestID(next.AuthRequestID) {
			return ErrUnknownAuthRequest
		}
		ar, err := s.d.Login.AuthRequest(ctx, t.ID, next.AuthRequestID)
		if err != nil {
			return fmt.Errorf("app assignment: %w", err)
		}
		app = appRef{ID: ar.AppID, Name: ar.AppName}
	}
	return s.admittedTo(ctx, t, userID, app)
}

// admittedTo is admitted for a known app (app.ID "" is none).
func (s *Service) admittedTo(ctx context.Context, t directory.Tenant, userID string, app appRef) error {
	if app.ID == "" {
		return nil
	}
	a, err := s.d.Assignments.Access(ctx, t.ID, app.ID, userID)
	if err != nil {
		return fmt.Errorf("app assignment: %w", err)
	}
	if !a.Allowed() {
		return &NotAssignedError{AppID: app.ID, AppName: app.Name}
	}
	return nil
}
