package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/store"
)

// AuthRequest is what the sign-in page needs of a pending OpenID Connect request.
type AuthRequest struct {
	AppName   string
	LoginHint string
	// ForceLogin (prompt=login, max_age=0): a new passcode even with a live session.
	ForceLogin bool
	// PromptNone (prompt=none): no page may be shown; without a session the app gets login_required.
	PromptNone bool
	// MaxAge, if set, is the oldest sign-in the app accepts.
	MaxAge *time.Duration
}

// reusable reports whether a live session may answer this request silently.
func (ar AuthRequest) reusable(s session.Session, now time.Time) bool {
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

// ErrUnknownAuthRequest: the sign-in request expired or never existed.
var ErrUnknownAuthRequest = errors.New("this sign-in request has expired; go back to the app and start again")

// loginStart is where an app's sign-in (or My Apps) lands: a live session
// signs in silently (R4); otherwise the guest gives their address.
func (h *Handler) loginStart(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	reqID := r.URL.Query().Get("authRequestID")
	ar, err := h.authRequest(r.Context(), t, reqID)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	if s, err := h.deps.Sessions.Lookup(r.Context(), t.ID, sessionToken(r, t)); err == nil && ar.reusable(s, h.deps.Clock.Now()) {
		h.continueWithSession(w, r, t, reqID, s)
		return
	}
	if ar.PromptNone && reqID != "" {
		next, err := h.deps.Login.Fail(r.Context(), t.ID, reqID, "login_required")
		if err != nil {
			h.fail(w, r, t.DisplayName, err)
			return
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.signinPage(w, r, http.StatusOK, t, reqID, ar.LoginHint, "")
}

func (h *Handler) authRequest(ctx context.Context, t directory.Tenant, id string) (AuthRequest, error) {
	if id == "" {
		return AuthRequest{}, nil // My Apps sign-in
	}
	if h.deps.Login == nil {
		return AuthRequest{}, ErrUnknownAuthRequest
	}
	ar, err := h.deps.Login.AuthRequest(ctx, t.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return ar, ErrUnknownAuthRequest
	}
	return ar, err
}

// continueWithSession finishes a sign-in for a live session, after checking
// the guest may still sign in (R9 applies to existing sessions too).
func (h *Handler) continueWithSession(w http.ResponseWriter, r *http.Request, t directory.Tenant, reqID string, s session.Session) {
	u, err := h.deps.Directory.GetUser(r.Context(), t.ID, s.UserID)
	if err == nil {
		_, err = h.decide(r.Context(), t, u)
	}
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	next := tenantPath(t, "/")
	if reqID != "" {
		if next, err = h.deps.Login.Complete(r.Context(), t.ID, reqID, s); err != nil {
			h.fail(w, r, t.DisplayName, err)
			return
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) signinPage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, reqID, address, errMsg string) {
	l := lang(r)
	h.r.render(w, r, status, "signin", page{
		Lang: l, Title: i18n.T(l, "signin.title"), TenantName: t.DisplayName,
		CSRF: h.csrf.token(w, r), Action: tenantPath(t, "/login/next"),
		Hidden: map[string]string{"authRequestID": reqID}, Address: address, Error: errMsg,
	})
}

// loginForm reads a posted sign-in form: CSRF, the tenant's user for the
// address, and the identity-provider decision.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) (directory.Tenant, directory.User, string, bool) {
	t := tenantFrom(r.Context())
	reqID := r.PostFormValue("authRequestID")
	if !h.csrf.valid(r) {
		h.fail(w, r, t.DisplayName, errBadCSRF)
		return t, directory.User{}, reqID, false
	}
	addr, err := directory.NormalizeAddress(r.PostFormValue("email"))
	if err != nil {
		h.signinPage(w, r, http.StatusBadRequest, t, reqID, r.PostFormValue("email"), i18n.T(lang(r), "signin.err_address"))
		return t, directory.User{}, reqID, false
	}
	u, err := h.deps.Directory.GetUserByMail(r.Context(), t.ID, addr)
	if errors.Is(err, store.ErrNotFound) {
		h.notMember(w, r, t, addr)
		return t, u, reqID, false
	}
	if err == nil {
		_, err = h.decide(r.Context(), t, u)
	}
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return t, u, reqID, false
	}
	return t, u, reqID, true
}

// notMember: the address is not a user of this tenant. Nothing is sent, and
// nothing is said about other tenants.
func (h *Handler) notMember(w http.ResponseWriter, r *http.Request, t directory.Tenant, addr string) {
	l := lang(r)
	h.r.render(w, r, http.StatusForbidden, "message", page{
		Lang: l, Title: i18n.T(l, "notmember.title"), TenantName: t.DisplayName,
		Heading: i18n.T(l, "notmember.title"), Paragraphs: []string{i18n.T(l, "notmember.explain", addr, t.DisplayName)},
	})
}

// loginNext takes the address and, for a guest who may sign in, says a
// code will be sent and offers Send code (R2).
func (h *Handler) loginNext(w http.ResponseWriter, r *http.Request) {
	t, u, reqID, ok := h.loginForm(w, r)
	if !ok {
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "redeem", page{
		Lang: l, Title: i18n.T(l, "signin.title"), TenantName: t.DisplayName, Heading: i18n.T(l, "signin.title"),
		CSRF: h.csrf.token(w, r), Action: tenantPath(t, "/login/send"),
		Hidden: map[string]string{"authRequestID": reqID, "email": u.Mail}, Address: u.Mail,
	})
}

// loginSend is Send code on the sign-in path; the code page is rendered
// directly so the address never travels in a URL.
func (h *Handler) loginSend(w http.ResponseWriter, r *http.Request) {
	t, u, reqID, ok := h.loginForm(w, r)
	if !ok {
		return
	}
	hidden := map[string]string{"authRequestID": reqID, "email": u.Mail}
	status, errMsg := http.StatusOK, ""
	if err := h.sendPasscode(r.Context(), t, u, lang(r)); err != nil {
		var known bool
		if errMsg, status, known = passcodeError(lang(r), err, h.deps.OTP.Limits().Validity); !known {
			h.fail(w, r, t.DisplayName, err)
			return
		}
	}
	h.codePage(w, r, status, t, u.Mail, tenantPath(t, "/login/verify"), tenantPath(t, "/login/send"), hidden, errMsg)
}

// loginVerify takes the code; on success the guest is redeemed if need be,
// the session starts and the app's request completes, all in one transaction.
func (h *Handler) loginVerify(w http.ResponseWriter, r *http.Request) {
	t, u, reqID, ok := h.loginForm(w, r)
	if !ok {
		return
	}
	dec, err := h.decide(r.Context(), t, u)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	next := tenantPath(t, "/")
	err = h.acceptPasscode(r.Context(), w, t, u, dec, r.PostFormValue("code"), func(ctx context.Context, s session.Session) error {
		if reqID == "" {
			return nil
		}
		var err error
		next, err = h.deps.Login.Complete(ctx, t.ID, reqID, s)
		return err
	})
	if err != nil {
		msg, status, known := passcodeError(lang(r), err, h.deps.OTP.Limits().Validity)
		if !known {
			h.fail(w, r, t.DisplayName, err)
			return
		}
		h.codePage(w, r, status, t, u.Mail, tenantPath(t, "/login/verify"), tenantPath(t, "/login/send"),
			map[string]string{"authRequestID": reqID, "email": u.Mail}, msg)
		return
	}
	h.deps.Log.InfoContext(r.Context(), "guest signed in with passcode", "tenant_id", t.ID, "user_id", u.ID, "redeemed", dec.Redeeming)
	http.Redirect(w, r, next, http.StatusSeeOther)
}
