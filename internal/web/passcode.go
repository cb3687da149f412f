package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/session"
)

// decide gathers the inputs of the identity-provider decision (section 3) and applies it.
func (h *Handler) decide(ctx context.Context, t directory.Tenant, u directory.User) (invitation.Decision, error) {
	eff, err := h.deps.OTPPolicy(ctx, t)
	if err != nil {
		return invitation.Decision{}, fmt.Errorf("read passcode policy: %w", err)
	}
	dec, err := invitation.DecideIdP(invitation.DecisionInput{User: u, Tenant: t, OTPEnabled: eff.Enabled})
	if err == nil && dec.IdP != directory.IdPMail {
		// The guest redeemed with another identity provider (R7, R8), which
		// these pages cannot run: never send them a code.
		return dec, &idpUnavailableError{IdP: dec.IdP}
	}
	return dec, err
}

// idpUnavailableError: the guest's identity provider is not mail and this
// deployment has no page for it; the guest gets no code.
type idpUnavailableError struct{ IdP directory.IdP }

func (e *idpUnavailableError) Error() string {
	return "the guest signs in with identity provider " + string(e.IdP) + ", which is not available here"
}

// sendPasscode issues a code to the guest and enqueues its mail in the same transaction.
func (h *Handler) sendPasscode(ctx context.Context, t directory.Tenant, u directory.User, lang string) error {
	validity := h.deps.OTP.Limits().Validity
	return h.deps.OTP.Issue(ctx, t.ID, u.Mail, func(ctx context.Context, code string) error {
		msg, err := h.deps.ComposePasscode(t, u.Mail, code, validity, lang)
		if err != nil {
			return err
		}
		return h.deps.Outbox.EnqueueMail(ctx, msg)
	})
}

// acceptPasscode verifies the code and, in one transaction, redeems the
// guest if this is the redemption, starts a session, and runs then (the
// OpenID Connect hand-off, when there is one). The session cookie is set
// only after the commit.
func (h *Handler) acceptPasscode(ctx context.Context, w http.ResponseWriter, t directory.Tenant, u directory.User, dec invitation.Decision, code string, then func(ctx context.Context, s session.Session) error) error {
	var (
		sess  session.Session
		token string
	)
	err := h.deps.OTP.Verify(ctx, t.ID, u.Mail, code, func(ctx context.Context) error {
		if dec.Redeeming {
			if err := h.deps.Invitations.Redeem(ctx, t.ID, u.ID, directory.IdPMail, string(directory.IdPMail)); err != nil {
				return err
			}
		}
		var err error
		if sess, token, err = h.deps.Sessions.Create(ctx, t.ID, u.ID, string(directory.IdPMail), []string{"otp"}); err != nil {
			return err
		}
		if then != nil {
			return then(ctx, sess)
		}
		return nil
	})
	if err != nil {
		return err
	}
	h.setSessionCookie(w, t, token, sess.ExpiresAt)
	return nil
}

// codePage renders the enter-code page, with an error message if any.
func (h *Handler) codePage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, address, action, resend string, hidden map[string]string, errMsg string) {
	l := lang(r)
	h.r.render(w, r, status, "code", page{
		Lang: l, Title: i18n.T(l, "otp.enter_code_title"), TenantName: t.DisplayName,
		CSRF: h.csrf.token(w, r), Action: action, ResendAction: resend, Hidden: hidden,
		Address: address, ValidMinutes: int(h.deps.OTP.Limits().Validity.Minutes()), Error: errMsg,
	})
}
