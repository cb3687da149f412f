package signin

import (
	"context"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/session"
)

// Policies are the tenant policies the decision reads (policy.Service has them).
type Policies interface {
	// Effective says whether passcodes are effectively enabled (section 4).
	Effective(ctx context.Context, t directory.Tenant) (policy.Effective, error)
	// Redemption is the tenant's configuration of section 3.
	Redemption(ctx context.Context, tenantID string) (policy.RedemptionConfig, error)
}

// Members checks members' passwords (member.Service has it). Errors are
// member.ErrWrongPassword, member.ErrDisabled and *member.ThrottledError.
type Members interface {
	Authenticate(ctx context.Context, t directory.Tenant, addr, password, clientAddr string) (directory.User, error)
}

// PasscodeComposer renders the mail that carries a passcode. It runs in
// the transaction that issues the code (ctx): what it reads, it reads
// there, never on a second connection a busy pool may not have.
type PasscodeComposer func(ctx context.Context, t directory.Tenant, address, code string, validity time.Duration, lang string) (mail.Message, error)

// AuthRequest is what the pages need of a pending OpenID Connect request.
type AuthRequest struct {
	AppID     string
	AppName   string
	LoginHint string
	// ForceLogin (prompt=login, max_age=0): sign in again even with a live session.
	ForceLogin bool
	// PromptNone (prompt=none): no page may be shown; without a session the app gets login_required.
	PromptNone bool
	// MaxAge, if set, is the oldest sign-in the app accepts.
	MaxAge *time.Duration
}

// Reusable reports whether a live session may answer this request silently.
func (ar AuthRequest) Reusable(s session.Session, now time.Time) bool {
	if ar.ForceLogin {
		return false
	}
	return ar.MaxAge == nil || !now.After(s.AuthTime.Add(*ar.MaxAge))
}

// LoginBridge hands a sign-in back to the OpenID Connect provider.
type LoginBridge interface {
	AuthRequest(ctx context.Context, tenantID, id string) (AuthRequest, error)
	// Complete marks the request done for the session's user and returns the
	// URL the browser goes to next. It joins the transaction in ctx.
	Complete(ctx context.Context, tenantID, id string, s session.Session) (string, error)
	// Fail ends the request with an OAuth error code (e.g. login_required)
	// and returns the URL that reports it to the app.
	Fail(ctx context.Context, tenantID, id, code string) (string, error)
}
